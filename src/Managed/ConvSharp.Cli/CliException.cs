namespace ConvSharp.Cli;

/// <summary>A problem with what the user asked for: printed as one line, exit code 2, no stack trace.</summary>
internal sealed class CliException(string message) : Exception(message);
