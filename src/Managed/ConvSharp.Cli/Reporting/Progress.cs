using System.Diagnostics;
using Spectre.Console;

namespace ConvSharp.Cli.Reporting;

/// <summary>Per-epoch progress: a Spectre.Console bar on a terminal, plain lines (about ten per epoch) otherwise.</summary>
internal sealed class EpochProgress
{
    private readonly TextWriter _output;
    private readonly bool _interactive;

    public EpochProgress(TextWriter output)
    {
        _output = output;
        _interactive = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
    }

    /// <summary>Runs <paramref name="epoch"/> with a progress display; the callback reports (batches done, images done, running loss).</summary>
    public void Run(string title, int batches, Action<Action<int, long, double>> epoch)
    {
        var clock = Stopwatch.StartNew();
        string Status(int done, long images, double loss)
        {
            double seconds = Math.Max(clock.Elapsed.TotalSeconds, 1e-3);
            double rate = images / seconds;
            double eta = done == 0 ? 0 : seconds * (batches - done) / done;
            return $"{images / seconds,7:N0} img/s  loss {loss:F4}  ETA {TimeSpan.FromSeconds(eta):mm\\:ss}";
        }
        if (_interactive)
        {
            AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask(title, maxValue: batches);
                    epoch((done, images, loss) =>
                    {
                        task.Value = done;
                        task.Description = $"{title}  {Markup.Escape(Status(done, images, loss))}";
                    });
                });
            return;
        }
        int every = Math.Max(1, batches / 10);
        epoch((done, images, loss) =>
        {
            if (done % every == 0 || done == batches) _output.WriteLine($"{title} {done}/{batches}  {Status(done, images, loss)}");
        });
    }
}
