using System.CommandLine;

namespace ConvSharp.Cli;

internal static class Commands
{
    public static IEnumerable<Command> All(TextWriter output)
    {
        var devices = new Command("devices", "List the compute devices ConvSharp can use.");
        devices.SetAction(_ =>
        {
            output.WriteLine($"cpu: OpenBLAS {Blas.CoreName} kernels, {Blas.NumThreads} threads; ConvSharp kernels {Blas.KernelIsa}");
            return 0;
        });
        yield return devices;
        yield return TrainCommand.Create(output);
        yield return EvalPredictCommands.Eval(output);
        yield return EvalPredictCommands.Predict(output);
        yield return SummaryCommand.Create(output);
        yield return ActivationsCommand.Create(output);
    }
}
