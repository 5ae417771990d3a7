using System.Diagnostics;
using System.Text;

namespace FastIngest.IntegrationTests.Infrastructure;

/// <summary>
/// What a child process prints on stdout and stderr, read all along (a full pipe would stall it) and
/// kept for failure messages.
/// </summary>
internal sealed class ProcessOutput
{
    private readonly StringBuilder _text = new();
    private readonly Lock _lock = new();
    private readonly int _maxChars;

    /// <summary>Starts reading both pipes of <paramref name="process"/>, which must redirect them.</summary>
    /// <param name="maxChars">Keep no more than this: a process that reports every retry needs only the start of its story told.</param>
    public ProcessOutput(Process process, int maxChars = int.MaxValue)
    {
        _maxChars = maxChars;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>Every line so far.</summary>
    public override string ToString()
    {
        lock (_lock)
        {
            return _text.ToString();
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lock)
        {
            if (_text.Length < _maxChars)
            {
                _text.AppendLine(line);
            }
        }
    }
}
