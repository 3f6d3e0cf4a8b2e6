using System.Globalization;
using System.Text;
using System.Text.Json;
using ConvSharp.IO;
using ConvSharp.NN;
using ConvSharp.Optim;

namespace ConvSharp.Training;

/// <summary>The files of one run and the order they are written in. checkpoint.safetensors (weights, optimizer
/// state and the <see cref="ResumeState"/> record in its metadata) is the commit: it is replaced atomically, and
/// everything else (resume.json, metrics.csv, the kept model.safetensors) is derived from it and rewritten after it,
/// each atomically. A kill at any moment therefore leaves the last committed generation plus, at worst, derived files
/// one generation behind, and <see cref="Repair"/> rewrites those from the checkpoint before a resumed run goes on.</summary>
internal sealed class RunFolder(string path, bool writes)
{
    public const string Checkpoint = "checkpoint.safetensors", Resume = "resume.json", Metrics = "metrics.csv", Best = "model.safetensors";
    private const string StateKey = "convsharp.resume", EpochKey = "convsharp.epoch", OptimizerPrefix = "optimizer.";

    /// <summary>A test seam standing in for SIGKILL: called with the name of each point between two file operations
    /// (and after each training batch); a test throws from it and then resumes from what is on disk.</summary>
    internal static Action<string>? FaultPoint { get; set; }

    public string Path { get; } = path;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public static void Fault(string point) => FaultPoint?.Invoke(point);

    /// <summary>Removes a previous run's files so a fresh run never mixes with them.</summary>
    public void Clear()
    {
        if (!writes) return;
        Directory.CreateDirectory(Path);
        foreach (string name in new[] { Resume, Checkpoint, Metrics, Best }) System.IO.File.Delete(File(name));
    }

    public bool HasCheckpoint => System.IO.File.Exists(File(Checkpoint));

    /// <summary>Commits <paramref name="state"/> with the model's and optimizer's current tensors, then its resume.json copy.</summary>
    public void Commit(ResumeState state, Module model, Optimizer optimizer)
    {
        if (!writes) return;
        // A checkpoint of NaN or infinite weights would resume (or predict) garbage: refused, naming the parameter.
        model.EnsureFinite();
        Fault("before-checkpoint");
        var optimizerState = optimizer.StateTensors().ToList();
        try
        {
            var tensors = model.StateDict().Concat(optimizerState.Select(o => (OptimizerPrefix + o.Name, o.Value)));
            string json = JsonSerializer.Serialize(state, TrainingJson.Default.ResumeState);
            SafeTensors.Save(File(Checkpoint), tensors, new Dictionary<string, string> { ["format"] = "pt", [StateKey] = json });
            Fault("after-checkpoint");
            AtomicFile.Write(File(Resume), s => s.Write(Encoding.UTF8.GetBytes(json)));
            Fault("after-resume-json");
        }
        finally
        {
            foreach (var (name, value) in optimizerState)
                if (name.StartsWith("param_groups.", StringComparison.Ordinal) || name.EndsWith(".step", StringComparison.Ordinal)) value.Dispose();
        }
    }

    /// <summary>Writes metrics.csv from the committed rows.</summary>
    public void WriteMetrics(IEnumerable<string> rows)
    {
        if (!writes) return;
        string text = EpochMetrics.CsvHeader + "\n" + string.Concat(rows.Select(r => r + "\n"));
        AtomicFile.Write(File(Metrics), s => s.Write(Encoding.UTF8.GetBytes(text)));
        Fault("after-metrics");
    }

    /// <summary>Writes the kept weights, stamped with their epoch so <see cref="Repair"/> can tell whether they are current.</summary>
    public void WriteBest(Module model, ModelInfo? info, int epoch)
    {
        if (!writes) return;
        model.EnsureFinite();
        var meta = info?.ToMetadata() ?? [];
        meta["format"] = "pt";
        if (model.Architecture is { } a) meta[ModelInfo.ArchitectureKey] = a;
        meta[EpochKey] = epoch.ToString(CultureInfo.InvariantCulture);
        SafeTensors.Save(File(Best), model.StateDict(), meta);
        Fault("after-best");
    }

    /// <summary>Loads the committed generation into <paramref name="model"/> and <paramref name="optimizer"/> and returns its record.</summary>
    /// <exception cref="InvalidDataException">The checkpoint is missing, not a trainer checkpoint, or does not fit the model.</exception>
    public ResumeState Load(Module model, Optimizer optimizer)
    {
        string path = File(Checkpoint);
        if (!System.IO.File.Exists(path))
            throw new FileNotFoundException($"Cannot resume '{Path}': it has no {Checkpoint} (the trainer writes one after every epoch and on interruption).", path);
        var header = SafeTensors.ReadHeader(path);
        if (!header.Metadata.TryGetValue(StateKey, out string? json))
            throw new InvalidDataException($"Cannot resume from '{path}': its metadata has no {StateKey} record, so it was not written by the trainer.");
        ResumeState state;
        try
        {
            state = JsonSerializer.Deserialize(json, TrainingJson.Default.ResumeState)
                ?? throw new InvalidDataException($"Cannot resume from '{path}': its {StateKey} record is null.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Cannot resume from '{path}': its {StateKey} record is not valid ({e.Message}).", e);
        }
        if (state.History is null || state.Epoch < 1 || state.BatchesDone < 0)
            throw new InvalidDataException($"Cannot resume from '{path}': its {StateKey} record is incomplete (epoch {state.Epoch}, batch {state.BatchesDone}).");
        var names = header.Tensors.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        string? missing = model.StateDict().Select(t => t.Name).FirstOrDefault(n => !names.Contains(n));
        if (missing is not null) throw new InvalidDataException($"Cannot resume from '{path}': it has no tensor '{missing}' of this model.");
        model.Load(path, strict: false);
        using var all = SafeTensors.Load(path);
        var optimizerState = all.Where(kv => kv.Key.StartsWith(OptimizerPrefix, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key[OptimizerPrefix.Length..], kv => kv.Value, StringComparer.Ordinal);
        optimizer.LoadStateTensors(optimizerState);
        return state;
    }

    /// <summary>Brings the derived files up to the committed generation: resume.json and metrics.csv are rewritten from
    /// the record, and model.safetensors from the checkpoint's weights when the kill came between the commit of the
    /// epoch that improved and the write of its weights.</summary>
    public void Repair(ResumeState state, Module model, ModelInfo? info)
    {
        if (!writes) return;
        AtomicFile.Write(File(Resume), s => s.Write(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(state, TrainingJson.Default.ResumeState))));
        WriteMetrics(state.History);
        if (state.BestEpoch < 1 || BestEpochOnDisk() == state.BestEpoch) return;
        // The checkpoint holds the kept weights only right after the improving epoch's commit (batch 0 of the next epoch).
        bool checkpointIsBest = state.BatchesDone == 0 && (state.Epoch - 1 == state.BestEpoch || (state.Finished && LastEpoch(state) == state.BestEpoch));
        if (!checkpointIsBest)
            throw new InvalidDataException($"'{Path}' is inconsistent: {Best} holds epoch {BestEpochOnDisk()} but the checkpoint names epoch {state.BestEpoch} as the kept one.");
        WriteBest(model, info, state.BestEpoch);
    }

    private static int LastEpoch(ResumeState s) => s.History.Length == 0 ? 0 : EpochMetrics.FromCsv(s.History[^1]).Epoch;

    private int BestEpochOnDisk()
    {
        if (!System.IO.File.Exists(File(Best))) return 0;
        try
        {
            var meta = SafeTensors.ReadHeader(File(Best)).Metadata;
            return meta.TryGetValue(EpochKey, out string? e) && int.TryParse(e, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : 0;
        }
        catch (InvalidDataException)
        {
            return 0;
        }
    }
}
