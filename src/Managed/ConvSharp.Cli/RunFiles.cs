using System.Globalization;
using System.Text;
using System.Text.Json;
using ConvSharp.IO;

namespace ConvSharp.Cli;

/// <summary>Reads the files of a run folder that `--resume` trusts (run.json, resume.json, metrics.csv), checking
/// every value, so a truncated, emptied or hand-edited file is one line naming the file and what is wrong.</summary>
internal static class RunFiles
{
    public const string MetricsHeader = "epoch,train_loss,train_accuracy,val_loss,val_accuracy,lr,seconds";

    // What the formats can justify: a few hundred bytes of JSON, one short line of metrics per epoch.
    private const long MaxJsonBytes = 1 << 20, MaxMetricsBytes = 64L << 20;

    public static RunRecord ReadRun(string folder)
    {
        string path = Path.Combine(folder, "run.json");
        if (!File.Exists(path) && !Directory.Exists(path)) throw new CliException($"--resume {folder}: no run.json in that folder.");
        RunRecord? record = Json(path, CliJson.Default.RunRecord);
        if (record?.Arguments is null || record.Arguments.Any(a => a is null))
            throw Damaged(path, "it has no \"arguments\" list");
        return record;
    }

    /// <summary>resume.json, checked when it is there. The trainer resumes from checkpoint.safetensors (the commit) and
    /// rewrites resume.json from it, and a kill right after the first commit leaves none yet, so a missing file is fine;
    /// a present one is always written whole (atomically), so one that does not parse or holds impossible values was
    /// damaged after the fact and the folder is not trusted.</summary>
    public static ResumeRecord? ReadResume(string folder)
    {
        string path = Path.Combine(folder, "resume.json");
        if (!File.Exists(path) && !Directory.Exists(path)) return null;
        ResumeRecord r = Json(path, CliJson.Default.ResumeRecord) ?? throw Damaged(path, "it holds null");
        if (r.Epoch < 1) throw Damaged(path, $"epoch is {r.Epoch}");
        if (r.BatchesDone < 0) throw Damaged(path, $"batches_done is {r.BatchesDone}");
        if (r.Epochs < 1) throw Damaged(path, $"epochs is {r.Epochs}");
        if (r.BestEpoch < 0 || r.BestEpoch > r.Epochs) throw Damaged(path, $"best_epoch is {r.BestEpoch} of {r.Epochs} epochs");
        if (r.Samples < 0 || r.Correct < 0 || r.Correct > r.Samples) throw Damaged(path, $"{r.Correct} correct of {r.Samples} samples");
        if (!double.IsFinite(r.RunningLoss) || r.RunningLoss < 0) throw Damaged(path, $"running_loss is {r.RunningLoss}");
        if (r.History is null) throw Damaged(path, "it has no \"history\" list");
        return r;
    }

    /// <summary>The data rows of metrics.csv (none if the file does not exist yet), each checked as seven numbers.</summary>
    public static List<string> ReadMetrics(string folder)
    {
        string path = Path.Combine(folder, "metrics.csv");
        if (!File.Exists(path) && !Directory.Exists(path)) return [];
        string[] lines = Encoding.UTF8.GetString(RegularFile.ReadAllBytes(path, MaxMetricsBytes, "metrics file"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Length == 0 || lines[0] != MetricsHeader) throw Damaged(path, $"its first line is not the header {MetricsHeader}");
        var rows = new List<string>();
        for (int i = 1; i < lines.Length; i++)
        {
            string[] fields = lines[i].Split(',');
            if (fields.Length != 7 || fields.Any(f => !double.TryParse(f, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                || !int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out int epoch) || epoch != rows.Count + 1)
                throw Damaged(path, $"line {i + 1} ('{Clip(lines[i])}') is not the row of epoch {rows.Count + 1} (seven numbers)");
            rows.Add(lines[i]);
        }
        return rows;
    }

    private static T? Json<T>(string path, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        byte[] bytes = RegularFile.ReadAllBytes(path, MaxJsonBytes, "run file");
        try
        {
            return JsonSerializer.Deserialize(bytes, type);
        }
        catch (JsonException e)
        {
            throw Damaged(path, bytes.Length == 0 ? "it is empty" : $"it is not valid JSON ({Failures.OneLine(e.Message)})");
        }
    }

    private static CliException Damaged(string path, string why) =>
        new($"'{path}' is damaged: {why}. The run folder cannot be resumed; start a new run (or restore the file).");

    private static string Clip(string s) => s.Length <= 60 ? s : s[..60] + "...";
}
