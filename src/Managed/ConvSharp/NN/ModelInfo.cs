using System.Globalization;
using ConvSharp.IO;

namespace ConvSharp.NN;

/// <summary>What a model file says about feeding its network, beside the weights: the input shape, the per-channel
/// normalisation and the class names. <c>model.Save(path, new ModelInfo { Input = [1, 28, 28], Mean = [0.286f],
/// Std = [0.353f] })</c> writes it; <see cref="Read"/> reads it back (each part null when the file does not have it).</summary>
public sealed class ModelInfo
{
    /// <summary>Metadata key of <see cref="Module.Architecture"/>.</summary>
    public const string ArchitectureKey = "convsharp.architecture";

    /// <summary>The input shape of one sample, C×H×W (metadata "convsharp.input", written "1x28x28").</summary>
    public int[]? Input { get; init; }

    /// <summary>The per-channel mean subtracted from inputs in [0, 1] ("convsharp.mean").</summary>
    public float[]? Mean { get; init; }

    /// <summary>The per-channel standard deviation inputs are divided by ("convsharp.std"); every value must be positive.</summary>
    public float[]? Std { get; init; }

    /// <summary>The class names, in output order ("convsharp.classes", one per line).</summary>
    public IReadOnlyList<string>? Classes { get; init; }

    /// <summary>The network's constructor call (<see cref="Module.Architecture"/>), as read from a file.</summary>
    public string? Architecture { get; init; }

    /// <summary>Checks the parts that are set and returns them as safetensors metadata entries.</summary>
    /// <exception cref="ArgumentException">A shape value is not positive, a mean or std is not finite, a std is not positive,
    /// or mean and std differ in length.</exception>
    public Dictionary<string, string> ToMetadata()
    {
        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Input is { } input)
        {
            if (input.Length != 3 || input.Any(d => d < 1))
                throw new ArgumentException($"ModelInfo.Input must be three positive sizes C, H, W, but is [{string.Join(", ", input)}].", nameof(Input));
            meta["convsharp.input"] = string.Join('x', input.Select(d => d.ToString(CultureInfo.InvariantCulture)));
        }
        if (Mean is { } mean)
        {
            if (mean.Any(v => !float.IsFinite(v))) throw new ArgumentException($"ModelInfo.Mean holds a value that is not finite: [{Join(mean)}].", nameof(Mean));
            meta["convsharp.mean"] = Join(mean);
        }
        if (Std is { } std)
        {
            if (std.Any(v => !(v > 0) || !float.IsFinite(v))) throw new ArgumentException($"ModelInfo.Std must be positive and finite, but is [{Join(std)}].", nameof(Std));
            meta["convsharp.std"] = Join(std);
        }
        if (Mean is not null && Std is not null && Mean.Length != Std.Length)
            throw new ArgumentException($"ModelInfo.Mean has {Mean.Length} values but Std has {Std.Length}.", nameof(Std));
        if (Classes is { Count: > 0 } classes) meta["convsharp.classes"] = string.Join('\n', classes);
        if (Architecture is { } a) meta[ArchitectureKey] = a;
        return meta;
    }

    /// <summary>The model information in the metadata of the safetensors file <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">A present entry cannot be parsed (its key and value are named).</exception>
    public static ModelInfo Read(string path) => FromMetadata(SafeTensors.ReadHeader(path).Metadata, path);

    /// <summary>The model information in safetensors metadata entries.</summary>
    public static ModelInfo FromMetadata(IReadOnlyDictionary<string, string> meta, string source = "the metadata")
    {
        ArgumentNullException.ThrowIfNull(meta);
        int[]? input = null;
        if (meta.TryGetValue("convsharp.input", out string? text))
        {
            string[] parts = text.Split('x');
            input = new int[parts.Length];
            for (int i = 0; i < parts.Length; i++)
                if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out input[i]) || input[i] < 1)
                    throw new InvalidDataException($"'{source}': convsharp.input '{text}' is not CxHxW with positive sizes (e.g. 1x28x28).");
            if (input.Length != 3) throw new InvalidDataException($"'{source}': convsharp.input '{text}' is not CxHxW (e.g. 1x28x28).");
        }
        float[]? Floats(string key)
        {
            if (!meta.TryGetValue(key, out string? v)) return null;
            string[] parts = v.Split(',');
            var values = new float[parts.Length];
            for (int i = 0; i < parts.Length; i++)
                if (!float.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !float.IsFinite(values[i]))
                    throw new InvalidDataException($"'{source}': {key} '{v}' is not a comma-separated list of finite numbers.");
            return values;
        }
        float[]? mean = Floats("convsharp.mean"), std = Floats("convsharp.std");
        if (std is not null && std.Any(s => s <= 0)) throw new InvalidDataException($"'{source}': convsharp.std '{meta["convsharp.std"]}' must be positive (inputs are divided by it).");
        return new ModelInfo
        {
            Input = input, Mean = mean, Std = std,
            Classes = meta.TryGetValue("convsharp.classes", out string? c) ? c.Split('\n') : null,
            Architecture = meta.TryGetValue(ArchitectureKey, out string? a) ? a : null,
        };
    }

    private static string Join(float[] values) => string.Join(',', values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
}
