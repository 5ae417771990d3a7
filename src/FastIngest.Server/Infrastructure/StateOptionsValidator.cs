using Microsoft.Extensions.Options;

namespace FastIngest.Server.Infrastructure;

/// <summary>
/// The state folder exists (it is created) and takes a file. Checked at start, so an unwritable folder
/// is one error naming it, not a failure deep in the spool or the first checkpoint minutes later.
/// </summary>
internal sealed class StateOptionsValidator : IValidateOptions<StateOptions>
{
    private const string ProbeName = ".write-probe";

    public ValidateOptionsResult Validate(string? name, StateOptions options)
    {
        string path;
        try
        {
            path = options.FullPath;
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return ValidateOptionsResult.Fail($"{options.Source} '{options.StateDirectory}' is not a valid path: {ex.Message}");
        }

        try
        {
            Directory.CreateDirectory(path);
            string probe = Path.Combine(path, ProbeName);
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return ValidateOptionsResult.Success;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ValidateOptionsResult.Fail($"{options.Source}: cannot write to {path}: {ex.Message}");
        }
    }
}
