namespace ConvSharp.Cli;

/// <summary>A problem with what the user asked for: printed as one line, exit code 2, no stack trace.
/// <paramref name="details"/>, when given, is printed after that line only with --verbose.</summary>
internal sealed class CliException(string message, string? details = null, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>More than the one line (every mismatching tensor, say), for --verbose.</summary>
    public string? Details { get; } = details;
}
