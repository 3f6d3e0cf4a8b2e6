using ConvSharp.NN;

namespace ConvSharp.Stress;

/// <summary>Saves a model to one path over and over through the library's atomic save, version
/// <c>start</c>, <c>start + 1</c>, …; version v fills tensor j (state_dict order) with v·64 + j, so a
/// reader can tell a complete version from a torn one. Prints "saved v" after each save returns.
/// The crash-safety test kills this process with SIGKILL at random moments.</summary>
internal static class CheckpointWriter
{
    /// <summary>The model written: the 29,066-parameter network plus a 1024×512 linear layer, so each
    /// save (about 2.2 MB) takes long enough for kills to land inside it.</summary>
    public static Sequential Model() => new(Network.MnistCnn(new Generator(0)), new Linear(1024, 512, generator: new Generator(1)));

    /// <summary>The value every element of tensor <paramref name="index"/> holds in <paramref name="version"/>.</summary>
    public static float Value(long version, int index) => version * 64 + index;

    public static int Run(Arguments arguments)
    {
        string path = arguments.String("path") ?? throw new ArgumentException("write-checkpoints needs --path FILE.", nameof(arguments));
        long start = arguments.Long("start", 1);
        long count = arguments.Long("count", long.MaxValue);
        using Sequential model = Model();
        var tensors = model.StateDict().Select(t => t.Tensor).ToArray();
        var buffers = tensors.Select(t => new float[t.Numel]).ToArray();
        for (long version = start; version - start < count; version++)
        {
            for (int j = 0; j < tensors.Length; j++)
            {
                Array.Fill(buffers[j], Value(version, j));
                tensors[j].CopyFrom(buffers[j]);
            }
            model.Save(path);
            Console.Out.WriteLine($"saved {version}");
            Console.Out.Flush();
        }
        return 0;
    }
}
