using System.CommandLine;

namespace ConvSharp.Cli;

/// <summary>The `convsharp` tool: train, eval, predict, summary, activations.</summary>
public static class Program
{
    /// <summary>Exit code for bad input (unknown option values, unreadable data or models, a full disk).</summary>
    public const int BadInput = 2;

    /// <summary>Exit code after Ctrl+C (128 + SIGINT), once the checkpoint is saved.</summary>
    public const int Interrupted = 130;

    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>Runs the tool with the given arguments; used by Main and by the end-to-end tests. Nothing escapes:
    /// every exception is reported by <see cref="Failures"/> as one line on <paramref name="error"/>.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        bool verbose = args.Contains("--verbose");
        try
        {
            var root = new RootCommand("convsharp: train, evaluate and explain convolutional networks.");
            root.Options.Add(new Option<bool>("--verbose") { Description = "On an error, print its details and stack trace too.", Recursive = true });
            foreach (Command command in Commands.All(output)) root.Subcommands.Add(command);

            ParseResult parsed = root.Parse(args);
            if (parsed.Errors.Count > 0)
            {
                error.WriteLine($"convsharp: {Failures.OneLine(parsed.Errors[0].Message)}");
                return BadInput;
            }
            return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e)
        {
            return Failures.Report(e, error, verbose);
        }
    }
}
