namespace ConvSharp.Onnx.Tests;

/// <summary>A model that lives on the OpenCL device (PoCL here) exports with its weights read back from the device.</summary>
public sealed class DeviceExportTests
{
    [Fact]
    public void A_model_on_OpenCL_exports_the_same_network()
    {
        Device gpu = Device.OpenCL();
        string dir = OnnxKit.TempFolder();
        try
        {
            using var model = Models.MnistCnn();
            using var x = Tensor.Randn([2, 1, 28, 28], 8);
            float[] cpu = OnnxKit.EvalForward(model, x);
            model.To(gpu);
            string path = Path.Combine(dir, "gpu.onnx");
            Onnx.Export(model, path, 2, 1, 28, 28);
            var (ort, shape) = OnnxKit.RunOrt(path, x.ToArray(), [2, 1, 28, 28]);
            Assert.Equal(new long[] { 2, 10 }, shape);
            double error = OnnxKit.RelativeError(ort, cpu);
            Assert.True(error <= 1e-5, $"relative error {error:E2}");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
