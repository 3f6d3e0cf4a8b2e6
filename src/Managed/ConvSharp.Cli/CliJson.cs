using System.Text.Json.Serialization;

namespace ConvSharp.Cli;

/// <summary>run.json: the exact command line of a run, so it can be read, repeated and resumed.</summary>
internal sealed record RunRecord(string Command, string[] Arguments, string Data, string Started);

/// <summary>resume.json: where an interrupted run stopped.</summary>
internal sealed record ResumeRecord(int Epoch, int BatchesDone, double BestValAccuracy, double RunningLoss, long Images, long Correct);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(RunRecord))]
[JsonSerializable(typeof(ResumeRecord))]
internal sealed partial class CliJson : JsonSerializerContext;
