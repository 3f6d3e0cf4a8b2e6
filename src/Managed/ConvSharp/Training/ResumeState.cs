using System.Text.Json.Serialization;

namespace ConvSharp.Training;

/// <summary>Where a run stands: the record inside checkpoint.safetensors (the commit point of a run folder) and,
/// identical, in resume.json. <see cref="Epoch"/> is the epoch to run next and <see cref="BatchesDone"/> how many
/// of its batches are already in the weights; <see cref="History"/> holds the metrics.csv rows of every finished
/// epoch, so the rows, the kept weights and the checkpoint are always one generation.</summary>
internal sealed record ResumeState(
    int Epoch, int BatchesDone, int Epochs, int BestEpoch, double BestValue, int EpochsWithoutImprovement,
    double RunningLoss, long Samples, long Correct, double EpochSeconds, bool Finished, bool StoppedEarly, string[] History);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(ResumeState))]
internal sealed partial class TrainingJson : JsonSerializerContext;
