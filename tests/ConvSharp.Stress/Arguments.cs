using System.Globalization;

namespace ConvSharp.Stress;

/// <summary>"--name value" pairs; nothing more is needed for two modes.</summary>
internal sealed class Arguments
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public Arguments(string[] args)
    {
        for (int i = 0; i < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
                throw new ArgumentException($"expected '--name value' pairs, but got '{args[i]}'.", nameof(args));
            _values[args[i][2..]] = args[i + 1];
        }
    }

    public string? String(string name) => _values.GetValueOrDefault(name);

    public long Long(string name, long fallback) =>
        _values.TryGetValue(name, out string? v) ? long.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public double Double(string name, double fallback) =>
        _values.TryGetValue(name, out string? v) ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;
}
