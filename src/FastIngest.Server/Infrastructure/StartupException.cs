namespace FastIngest.Server.Infrastructure;

/// <summary>
/// A start-up problem an operator fixes (a port taken, a folder not writable); its message names the
/// key, port or path and is printed as the one error line (<see cref="StartupFailure"/>).
/// </summary>
internal sealed class StartupException : Exception
{
    public StartupException()
    {
    }

    public StartupException(string message)
        : base(message)
    {
    }

    public StartupException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
