using System.Text.Json.Serialization;

namespace ConvSharp.Cli;

/// <summary>run.json: the exact command line of a run, so it can be read, repeated and resumed.</summary>
internal sealed record RunRecord(string Command, string[] Arguments, string Data, string Started);

/// <summary>The fields of resume.json (the trainer's copy of its checkpoint record) that --resume checks before it trusts the folder.</summary>
internal sealed record ResumeRecord(int Epoch, int BatchesDone, int Epochs, int BestEpoch, double RunningLoss, long Samples, long Correct, string[]? History);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(RunRecord))]
[JsonSerializable(typeof(ResumeRecord))]
internal sealed partial class CliJson : JsonSerializerContext;
