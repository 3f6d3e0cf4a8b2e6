using System.Diagnostics;
using System.Globalization;
using ConvSharp;
using ConvSharp.Data;
using ConvSharp.Distributed;
using DistributedCheck;
using ConvSharp.NN;
using ConvSharp.Optim;

// ConvSharp.DistributedCheck train --model mnist-cnn|bn-cnn [--norm batch|sync] --steps 50 --global-batch 16 --out PREFIX [--data DIR]
// ConvSharp.DistributedCheck mismatch        (rank 1 builds a wider first convolution)
// ConvSharp.DistributedCheck die             (rank 1 exits before the first all-reduce)
// ConvSharp.DistributedCheck stall --timeout S   (rank 1 sleeps instead of joining the all-reduce)
// ConvSharp.DistributedCheck scale --model mnist-cnn --global-batch 32 --steps 200 [--warmup 20]
// ConvSharp.DistributedCheck allreduce --floats 29066 --repeats 200   (median time of one in-place sum, after a barrier)
// Run under `mpirun -np N` or alone (a world of one). Errors: one line on stderr, exit code 2.
try
{
    var a = new Args(args.Length > 1 ? args[1..] : []);
    using var session = Distributed.Init(a.Has("timeout") ? TimeSpan.FromSeconds(a.Double("timeout", 300)) : null);
    return args.Length == 0 ? Usage() : args[0] switch
    {
        "train" => Checks.Train(a),
        "mismatch" => Checks.Mismatch(),
        "die" => Checks.Die(),
        "stall" => Checks.Stall(),
        "scale" => Checks.Scale(a),
        "allreduce" => Checks.AllReduce(a),
        _ => Usage(),
    };
}
catch (Exception e) when (e is ArgumentException or TimeoutException or MpiException or InvalidOperationException or NotSupportedException or DllNotFoundException)
{
    Console.Error.WriteLine($"rank {Distributed.Rank}: {e.GetType().Name}: {e.Message}");
    return 2;
}

static int Usage()
{
    Console.Error.WriteLine("usage: ConvSharp.DistributedCheck train|mismatch|die|stall|scale [options]");
    return 2;
}

namespace DistributedCheck
{
    internal static class Checks
    {
        public static Module Build(string model, string norm, int initSeed)
        {
            var g = new Generator(initSeed);
            return model switch
            {
                // The 29,066-parameter network of the README.
                "mnist-cnn" => new Sequential(
                    new Conv2d(1, 16, 3, padding: 1, generator: g), new ReLU(), new MaxPool2d(2),
                    new Conv2d(16, 32, 3, padding: 1, generator: g), new ReLU(), new MaxPool2d(2),
                    new Conv2d(32, 64, 3, padding: 1, generator: g), new ReLU(), new MaxPool2d(2),
                    new Flatten(), new Linear(64 * 3 * 3, 10, generator: g)),
                // Convolutions before a batch norm carry no bias (as in ResNet): its gradient is zero up to rounding, which
                // Adam would turn into steps of size lr, so two correct runs would drift apart in it.
                "bn-cnn" => new Sequential(
                    new Conv2d(1, 8, 3, padding: 1, bias: false, generator: g), Norm(norm, 8), new ReLU(), new MaxPool2d(2),
                    new Conv2d(8, 16, 3, padding: 1, bias: false, generator: g), Norm(norm, 16), new ReLU(), new MaxPool2d(2),
                    new Flatten(), new Linear(16 * 7 * 7, 10, generator: g)),
                _ => throw new ArgumentException($"unknown --model '{model}' (mnist-cnn, bn-cnn)"),
            };
        }

        private static Module Norm(string norm, int channels) => norm switch
        {
            "batch" => new BatchNorm2d(channels),
            "sync" => Distributed.WorldSize > 1 ? new SyncBatchNorm(channels) : new BatchNorm2d(channels),
            _ => throw new ArgumentException($"unknown --norm '{norm}' (batch, sync)"),
        };

        private static Dataset Data(Args a) =>
            FashionMnist.Load(a.String("data", Path.Combine(FindRepo(), "data", "fashion-mnist")), train: true,
                new Compose(new ToTensor(), new Normalize(0.286f, 0.353f)));

        /// <summary>Trains with Adam on the shard of this rank; writes PREFIX.rankR.safetensors (weights and buffers)
        /// and PREFIX.rankR.optim.safetensors (Adam's state) so the test compares ranks and runs.</summary>
        public static int Train(Args a)
        {
            int world = Distributed.WorldSize, rank = Distributed.Rank;
            int globalBatch = a.Int("global-batch", 16), steps = a.Int("steps", 50);
            if (globalBatch % world != 0) throw new ArgumentException($"--global-batch {globalBatch} does not divide by the {world} ranks");
            string prefix = a.String("out", "ddp");
            // Each rank starts from different weights: DistributedDataParallel must broadcast rank 0's.
            Module model = Build(a.String("model", "mnist-cnn"), a.String("norm", "batch"), initSeed: 1 + rank);
            using var ddp = new DistributedDataParallel(model, a.Double("bucket-mb", 25));
            using var opt = new Adam(ddp.Parameters(), lr: 1e-3f);
            var loss = new CrossEntropyLoss();
            var shard = new DistributedSampler(Data(a), rank, world, shuffle: true, seed: 7);
            using var loader = new DataLoader(shard, batchSize: globalBatch / world, shuffle: false, dropLast: true);
            int step = 0;
            for (int epoch = 0; step < steps; epoch++)
            {
                loader.Epoch = epoch;
                foreach (var (x, y) in loader)
                {
                    using var scope = Tensor.Scope();
                    var l = loss.Forward(ddp.Forward(x), y);
                    opt.ZeroGrad();
                    l.Backward();
                    opt.Step();
                    if (++step == steps) break;
                }
            }
            model.Save($"{prefix}.rank{rank}.safetensors");
            opt.Save($"{prefix}.rank{rank}.optim.safetensors");
            Console.WriteLine($"rank {rank} of {world}: {steps} steps, {ddp.BucketCount} bucket(s), {ddp.SynchronizedSteps} synchronized, " +
                              $"all-reduce wait {ddp.AllReduceWaitTime.TotalMilliseconds:F1} ms");
            return 0;
        }

        public static int Mismatch()
        {
            var g = new Generator(0);
            Module model = Distributed.Rank == 1
                ? new Sequential(new Conv2d(1, 16, 5, padding: 2, generator: g), new Flatten(), new Linear(16 * 28 * 28, 10, generator: g))
                : new Sequential(new Conv2d(1, 16, 3, padding: 1, generator: g), new Flatten(), new Linear(16 * 28 * 28, 10, generator: g));
            using var ddp = new DistributedDataParallel(model);
            Console.WriteLine($"rank {Distributed.Rank}: no mismatch detected");
            return 0;
        }

        public static int Die()
        {
            Module model = Build("mnist-cnn", "batch", 0);
            using var ddp = new DistributedDataParallel(model);
            if (Distributed.Rank == 1)
            {
                Console.Error.WriteLine("rank 1: exiting on purpose before the first gradient all-reduce");
                Environment.Exit(7);
            }
            OneStep(ddp);
            Console.WriteLine($"rank {Distributed.Rank}: the step finished although rank 1 died");
            return 0;
        }

        public static int Stall()
        {
            Module model = Build("mnist-cnn", "batch", 0);
            using var ddp = new DistributedDataParallel(model);
            if (Distributed.Rank == 1)
            {
                Thread.Sleep(TimeSpan.FromSeconds(60));  // alive, but never joins the all-reduce
                return 0;
            }
            OneStep(ddp);
            Console.WriteLine($"rank {Distributed.Rank}: the step finished although rank 1 stalled");
            return 0;
        }

        private static void OneStep(DistributedDataParallel ddp)
        {
            using var scope = Tensor.Scope();
            var x = Tensor.FromArray(Enumerable.Range(0, 4 * 28 * 28).Select(i => (float)Math.Sin(i)).ToArray(), 4, 1, 28, 28);
            var y = Tensor.FromArray([1f, 2f, 3f, 4f], 4);
            new CrossEntropyLoss().Forward(ddp.Forward(x), y).Backward();
        }

        /// <summary>Throughput of training steps at a fixed global batch, and the time blocked in all-reduce per step
        /// (rank 0 prints: steps/s, images/s, median step ms, median all-reduce ms).</summary>
        public static int Scale(Args a)
        {
            int world = Distributed.WorldSize, rank = Distributed.Rank;
            int globalBatch = a.Int("global-batch", 32), steps = a.Int("steps", 200), warmup = a.Int("warmup", 20);
            if (globalBatch % world != 0) throw new ArgumentException($"--global-batch {globalBatch} does not divide by the {world} ranks");
            Blas.NumThreads = 1;
            Module model = Build(a.String("model", "mnist-cnn"), "batch", 0);
            using var ddp = new DistributedDataParallel(model);
            using var opt = new Adam(ddp.Parameters(), lr: 1e-3f);
            var loss = new CrossEntropyLoss();
            var shard = new DistributedSampler(Data(a), rank, world, shuffle: true, seed: 7);
            using var loader = new DataLoader(shard, batchSize: globalBatch / world, shuffle: false, dropLast: true);
            var stepMs = new List<double>();
            var reduceMs = new List<double>();
            int step = 0;
            for (int epoch = 0; step < steps + warmup; epoch++)
            {
                loader.Epoch = epoch;
                foreach (var (x, y) in loader)
                {
                    using var scope = Tensor.Scope();
                    long start = Stopwatch.GetTimestamp();
                    TimeSpan before = ddp.AllReduceWaitTime;
                    var l = loss.Forward(ddp.Forward(x), y);
                    opt.ZeroGrad();
                    l.Backward();
                    opt.Step();
                    if (step >= warmup)
                    {
                        stepMs.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                        reduceMs.Add((ddp.AllReduceWaitTime - before).TotalMilliseconds);
                    }
                    if (++step == steps + warmup) break;
                }
            }
            double medianStep = Median(stepMs), medianReduce = Median(reduceMs);
            if (rank == 0)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"scale world={world} global_batch={globalBatch} steps={steps} median_step_ms={medianStep:F3} median_allreduce_ms={medianReduce:F3} " +
                    $"images_per_s={globalBatch * 1000 / medianStep:F0} gradient_bytes={model.ParameterCount() * 4}"));
            return 0;
        }

        /// <summary>The cost of the all-reduce itself, without the wait for a slower rank: a barrier first, then one
        /// MPI_Iallreduce of --floats values (default: the 29,066 gradients) waited for; rank 0 prints the median.</summary>
        public static int AllReduce(Args a)
        {
            int floats = a.Int("floats", 29066), repeats = a.Int("repeats", 200);
            var values = new float[floats];
            var times = new List<double>();
            for (int i = 0; i < repeats + 10; i++)
            {
                Array.Fill(values, 1f);
                Distributed.Barrier();
                long start = Stopwatch.GetTimestamp();
                Distributed.AllReduce(values);
                if (i >= 10) times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds * 1000);
                if (values[0] != Distributed.WorldSize) throw new InvalidOperationException($"the all-reduce gave {values[0]}, not {Distributed.WorldSize}");
            }
            if (Distributed.Rank == 0)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"allreduce world={Distributed.WorldSize} floats={floats} bytes={floats * 4} repeats={repeats} median_us={Median(times):F1} min_us={times.Min():F1}"));
            return 0;
        }

        private static double Median(List<double> values)
        {
            var sorted = values.OrderBy(v => v).ToArray();
            return sorted.Length == 0 ? 0 : sorted[sorted.Length / 2];
        }

        private static string FindRepo()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Interop.sln"))) return dir.FullName;
            throw new ArgumentException("cannot find the repository (Interop.sln) above the program; pass --data DIR");
        }
    }

    internal sealed class Args(string[] args)
    {
        public bool Has(string name) => Array.IndexOf(args, "--" + name) >= 0;

        public string String(string name, string fallback)
        {
            int i = Array.IndexOf(args, "--" + name);
            if (i < 0) return fallback;
            if (i + 1 >= args.Length) throw new ArgumentException($"--{name} needs a value");
            return args[i + 1];
        }

        public int Int(string name, int fallback) =>
            int.TryParse(String(name, fallback.ToString(CultureInfo.InvariantCulture)), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v > 0
                ? v : throw new ArgumentException($"--{name} must be a positive integer, but is '{String(name, "")}'");

        public double Double(string name, double fallback) =>
            double.TryParse(String(name, fallback.ToString(CultureInfo.InvariantCulture)), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v > 0
                ? v : throw new ArgumentException($"--{name} must be a positive number, but is '{String(name, "")}'");
    }
}
