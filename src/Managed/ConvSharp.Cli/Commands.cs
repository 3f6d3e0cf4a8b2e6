using System.CommandLine;

namespace ConvSharp.Cli;

internal static class Commands
{
    public static IEnumerable<Command> All(TextWriter output)
    {
        var devices = new Command("devices", "List the compute devices ConvSharp can use.");
        devices.SetAction(_ =>
        {
            output.WriteLine($"cpu: OpenBLAS {Blas.CoreName} kernels, {Blas.NumThreads} threads; ConvSharp kernels {NativeKernels.Isa}");
            var openCl = Device.OpenCLDevices();
            if (openCl.Count == 0)
                output.WriteLine("opencl: none found (install PoCL for the CPU, or a GPU vendor's OpenCL driver; see `convsharp train --device opencl`)");
            foreach (var d in openCl) output.WriteLine($"opencl:{d}");
            string? chosen = Environment.GetEnvironmentVariable(Device.OpenCLDeviceVariable);
            if (openCl.Count > 0)
                output.WriteLine(chosen is null
                    ? $"--device opencl uses the first GPU, else the first device; set {Device.OpenCLDeviceVariable}=platform:device to choose"
                    : $"--device opencl uses {chosen} ({Device.OpenCLDeviceVariable})");
            return 0;
        });
        yield return devices;
        yield return TrainCommand.Create(output);
        yield return EvalPredictCommands.Eval(output);
        yield return EvalPredictCommands.Predict(output);
        yield return SummaryCommand.Create(output);
        yield return ActivationsCommand.Create(output);
        yield return ExportCommand.Create(output);
    }
}
