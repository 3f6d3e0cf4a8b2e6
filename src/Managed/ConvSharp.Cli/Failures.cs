using System.Reflection;
using System.Text.Json;

namespace ConvSharp.Cli;

/// <summary>The CLI's one error handler: every exception that reaches <see cref="Program.Run"/> becomes one line on
/// stderr. Failures of the user's input or environment (arguments, files, data, disk) exit with
/// <see cref="Program.BadInput"/>; anything else is a bug: one line, a pointer to --verbose, exit 1.
/// --verbose adds the details and the stack trace.</summary>
internal static class Failures
{
    /// <summary>Exit code for an unexpected exception (a bug in convsharp or ConvSharp).</summary>
    public const int Unexpected = 1;

    public static int Report(Exception e, TextWriter error, bool verbose)
    {
        e = Unwrap(e);
        string? line = Expected(e);
        if (line is not null)
        {
            error.WriteLine($"convsharp: {line}");
            if (verbose)
            {
                if (e is CliException { Details: { } details }) error.WriteLine(details);
                error.WriteLine(e.ToString());
            }
            return Program.BadInput;
        }
        error.WriteLine($"convsharp: unexpected error ({e.GetType().Name}): {OneLine(e.Message)} (run with --verbose for details)");
        if (verbose) error.WriteLine(e.ToString());
        return Unexpected;
    }

    /// <summary>The one-line message for a failure caused by the user's input or environment, or null for a bug.</summary>
    internal static string? Expected(Exception e) => Unwrap(e) switch
    {
        CliException c => OneLine(c.Message),
        ArgumentException a => OneLine(WithoutParameterSuffix(a)),
        // Checked arithmetic (the CLI is compiled with overflow checks) or a library's checked size: a size the
        // input implies does not fit.
        OverflowException o => $"a size is too large: {OneLine(o.Message)} (an input shape, --resize, --batch-size or --zoom beyond what one buffer can hold)",
        // A diverged run (a NaN weight refused before a checkpoint is written): the user's --lr, not a bug.
        ArithmeticException a => OneLine(a.Message),
        OutOfMemoryException => "not enough memory for what was asked (an input shape, --resize or --batch-size too large for this machine)",
        InvalidDataException or FileNotFoundException or DirectoryNotFoundException or PathTooLongException or UnauthorizedAccessException
            or NotSupportedException or PlatformNotSupportedException or DllNotFoundException or JsonException
            or TimeoutException or ConvSharp.Distributed.MpiException => OneLine(e.Message),
        // The rest of IOException: a full disk, a file where a folder was asked for, a FIFO or device as input.
        IOException io => OneLine(io.Message),
        _ => null,
    };

    private static Exception Unwrap(Exception e) => e switch
    {
        AggregateException { InnerExceptions.Count: 1 } a => Unwrap(a.InnerException!),
        TargetInvocationException { InnerException: { } inner } => Unwrap(inner),
        TypeInitializationException { InnerException: { } inner } => Unwrap(inner),
        _ => e,
    };

    /// <summary>An ArgumentException's message without the " (Parameter 'x')" and "Actual value was ..." that .NET
    /// appends on lines of their own; the messages ConvSharp throws already name the parameter and value.</summary>
    internal static string WithoutParameterSuffix(ArgumentException a)
    {
        string message = a.Message;
        if (a is ArgumentOutOfRangeException { ActualValue: { } actual })
        {
            string suffix = $"Actual value was {actual}.";
            int at = message.LastIndexOf(suffix, StringComparison.Ordinal);
            if (at >= 0) message = message[..at].TrimEnd();
        }
        if (a.ParamName is { } name)
        {
            string suffix = $" (Parameter '{name}')";
            int at = message.LastIndexOf(suffix, StringComparison.Ordinal);
            if (at >= 0) message = message[..at] + message[(at + suffix.Length)..];
        }
        return message;
    }

    /// <summary>Joins a multi-line message into one line.</summary>
    internal static string OneLine(string message) =>
        string.Join("; ", message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
