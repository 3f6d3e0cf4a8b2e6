using ConvSharp.Data;
using ConvSharp.Imaging;
using ConvSharp.IO;
using SharpFuzz;

// ConvSharp.Fuzz seeds DIR: writes one small valid input per target into DIR/<target>/.
// ConvSharp.Fuzz TARGET [FILE]: with FILE, loads it once (to replay a finding); without, runs under afl-fuzz.
// A documented exception is a refusal, which is the loader doing its job; anything else escapes and AFL
// records it as a crash.
string[] targets = ["idx-images", "idx-labels", "cifar10", "safetensors", "image"];
if (args is ["seeds", string seedDir])
{
    Seeds.Write(seedDir);
    return 0;
}
if (args.Length is < 1 or > 2 || !targets.Contains(args[0]))
{
    Console.Error.WriteLine($"usage: ConvSharp.Fuzz {string.Join("|", targets)} [FILE]");
    return 2;
}
string target = args[0];
string scratch = Path.Combine(Path.GetTempPath(), $"convsharp-fuzz-{Environment.ProcessId}" + (target == "image" ? ".img" : ".bin"));

void Load(string path)
{
    try
    {
        switch (target)
        {
            case "idx-images": IdxFile.ReadImages(path); break;
            case "idx-labels": IdxFile.ReadLabels(path); break;
            case "cifar10": Cifar10.ReadBatches([path]); break;
            case "safetensors": SafeTensors.Load(path).Dispose(); break;
            default: ImageFile.Read(path, ColorMode.Rgb, (8, 8)); break;
        }
    }
    catch (InvalidDataException)
    {
    }
    catch (NotSupportedException) when (target == "safetensors")
    {
    }
}

if (args.Length == 2)
{
    Load(args[1]);
    return 0;
}
Fuzzer.OutOfProcess.Run(stream =>
{
    using (var file = File.Create(scratch)) stream.CopyTo(file);
    Load(scratch);
});
return 0;
