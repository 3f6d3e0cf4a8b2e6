using System.Text.Json.Serialization;

namespace ConvSharp.Cli;

/// <summary>run.json: the exact command line of a run, so it can be read, repeated and resumed.</summary>
internal sealed record RunRecord(string Command, string[] Arguments, string Data, string Started);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(RunRecord))]
internal sealed partial class CliJson : JsonSerializerContext;
