using Xunit.Abstractions;

namespace ConvSharp.Onnx.Tests;

/// <summary>Onnx.Load on damaged copies of a real model: flipped bytes, cut tails, spliced garbage. Only the documented
/// exceptions may escape (InvalidDataException for a damaged file, NotSupportedException for what parses but is outside
/// the op set), each naming the file or the node.</summary>
public sealed class MutationTests(ITestOutputHelper output)
{
    [Fact]
    public void Damaged_models_raise_only_the_documented_exceptions()
    {
        string dir = OnnxKit.TempFolder();
        try
        {
            string good = Path.Combine(dir, "good.onnx");
            using (var model = Models.ResNetBlock()) Onnx.Export(model, good, 1, 3, 16, 16);
            byte[] original = File.ReadAllBytes(good);
            var rng = new Random(21);
            int refused = 0, loaded = 0;
            string path = Path.Combine(dir, "damaged.onnx");
            for (int i = 0; i < 400; i++)
            {
                byte[] bytes = (byte[])original.Clone();
                switch (i % 4)
                {
                    case 0:
                        for (int k = 0; k < 1 + rng.Next(8); k++) bytes[rng.Next(bytes.Length)] = (byte)rng.Next(256);
                        break;
                    case 1:
                        bytes = bytes[..rng.Next(bytes.Length)];
                        break;
                    case 2:
                        // Damage inside the graph's structure (the first kilobytes hold nodes and names, not weights).
                        for (int k = 0; k < 4; k++) bytes[rng.Next(Math.Min(bytes.Length, 4096))] ^= (byte)(1 << rng.Next(8));
                        break;
                    default:
                        int at = rng.Next(bytes.Length);
                        byte[] junk = new byte[rng.Next(1, 64)];
                        rng.NextBytes(junk);
                        bytes = [.. bytes[..at], .. junk, .. bytes[at..]];
                        break;
                }
                File.WriteAllBytes(path, bytes);
                try
                {
                    using OnnxModel m = Onnx.Load(path);
                    loaded++;
                }
                catch (Exception e) when (e is InvalidDataException or NotSupportedException)
                {
                    Assert.False(string.IsNullOrWhiteSpace(e.Message));
                    refused++;
                }
                catch (Exception e)
                {
                    Assert.Fail($"case {i} ({i % 4}): {e.GetType().Name} escaped: {e}");
                }
            }
            output.WriteLine($"400 damaged models: {refused} refused, {loaded} loaded");
            Assert.True(refused > 200, $"only {refused} of 400 refused");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
