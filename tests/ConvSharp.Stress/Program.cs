using ConvSharp.Stress;

// convsharp-stress longrun [--steps 20000] [--threads N] [--every 1000] [--warmup 2000] [--tolerance 0.05]
// convsharp-stress write-checkpoints --path FILE [--count N]
// convsharp-stress memory --loop scoped|careless|careless-unrolled|infer-scoped|infer-careless|infer-careless-unrolled|trim [--steps N] [--threads T]
return args.Length == 0 ? Usage() : args[0] switch
{
    "longrun" => LongRun.Run(new Arguments(args[1..])),
    "write-checkpoints" => CheckpointWriter.Run(new Arguments(args[1..])),
    "memory" => MemoryModes.Run(new Arguments(args[1..])),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: ConvSharp.Stress longrun [--steps N] [--every N] [--warmup N] [--tolerance F]");
    Console.Error.WriteLine("       ConvSharp.Stress write-checkpoints --path FILE [--count N]");
    Console.Error.WriteLine("       ConvSharp.Stress memory --loop scoped|careless|careless-unrolled|infer-scoped|infer-careless|infer-careless-unrolled|trim [--steps N] [--threads T]");
    return 2;
}
