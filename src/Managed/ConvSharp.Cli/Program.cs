using System.CommandLine;

namespace ConvSharp.Cli;

/// <summary>The `convsharp` tool: train, eval, predict, summary, activations.</summary>
public static class Program
{
    /// <summary>Exit code for bad input (unknown option values, unreadable data or models).</summary>
    public const int BadInput = 2;

    /// <summary>Exit code after Ctrl+C (128 + SIGINT), once the checkpoint is saved.</summary>
    public const int Interrupted = 130;

    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>Runs the tool with the given arguments; used by Main and by the end-to-end tests.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var root = new RootCommand("convsharp: train, evaluate and explain convolutional networks.");
        foreach (Command command in Commands.All(output)) root.Subcommands.Add(command);

        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            error.WriteLine($"convsharp: {parsed.Errors[0].Message}");
            return BadInput;
        }
        try
        {
            return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (UserFacing(e) is string message)
        {
            error.WriteLine($"convsharp: {message}");
            return BadInput;
        }
    }

    /// <summary>The one-line message for an exception caused by the user's input, or null for a bug.</summary>
    internal static string? UserFacing(Exception e) => e switch
    {
        CliException or ArgumentException or InvalidDataException or FileNotFoundException or DirectoryNotFoundException
            or NotSupportedException or DllNotFoundException or UnauthorizedAccessException
            or TimeoutException or ConvSharp.Distributed.MpiException => e.Message,
        AggregateException { InnerExceptions.Count: 1 } a => UserFacing(a.InnerException!),
        _ => null,
    };
}
