using ConvSharp;
using ConvSharp.DeviceCheck;

// The device check: OpenCL devices, op parity against the CPU backend (before any timing), then SGEMM, the conv
// layers of docs/benchmarks.md and training steps of three networks on the OpenCL device and on the CPU backend.
// One markdown table per part goes to --out (and stdout); a short summary comes last. --local: small sizes, for PoCL.
try
{
    var options = Options.Parse(args);
    return Check.Run(options);
}
catch (UsageException e)
{
    Console.Error.WriteLine($"DeviceCheck: {e.Message}");
    return 2;
}

namespace ConvSharp.DeviceCheck
{
    internal sealed class UsageException(string message) : Exception(message);

    /// <summary>Command-line options: --local, --out DIR, --peer FILE (PyTorch's JSON from torch_peer.py).</summary>
    internal sealed record Options(bool Local, string Out, string? Peer)
    {
        public static Options Parse(string[] args)
        {
            bool local = false;
            string? output = null, peer = null;
            for (int i = 0; i < args.Length; i++)
            {
                switch (args[i])
                {
                    case "--local": local = true; break;
                    case "--out": output = Value(args, ref i); break;
                    case "--peer": peer = Value(args, ref i); break;
                    default: throw new UsageException($"unknown argument '{args[i]}'; use --local, --out DIR, --peer FILE.");
                }
            }
            return new Options(local, output ?? Path.Combine(Environment.CurrentDirectory, "device-check"), peer);
        }

        private static string Value(string[] args, ref int i)
        {
            if (i + 1 >= args.Length) throw new UsageException($"{args[i]} needs a value.");
            return args[++i];
        }
    }
}
