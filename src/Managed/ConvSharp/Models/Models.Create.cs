using System.Globalization;
using ConvSharp.NN;

namespace ConvSharp;

public static partial class Models
{
    /// <summary>Builds the network an architecture string names: what <see cref="Module.Architecture"/> holds
    /// ("MnistCnn(inChannels=1, numClasses=10, height=28, width=28)"), a bare constructor name ("ResNet18") or a CLI
    /// preset name ("mnist-cnn"); arguments left out take the constructor's defaults.</summary>
    /// <exception cref="ArgumentException">The name is unknown, or an argument is unknown or not a value of its type.</exception>
    public static Module Create(string architecture, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        string text = architecture.Trim();
        int open = text.IndexOf('(');
        string name = open < 0 ? text : text[..open].Trim();
        var args = new Dictionary<string, string>(StringComparer.Ordinal);
        if (open >= 0)
        {
            if (!text.EndsWith(')'))
                throw new ArgumentException($"Architecture '{architecture}' has no closing parenthesis.", nameof(architecture));
            foreach (string part in text[(open + 1)..^1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                int eq = part.IndexOf('=');
                if (eq <= 0) throw new ArgumentException($"Architecture '{architecture}': argument '{part}' is not name=value.", nameof(architecture));
                args[part[..eq].Trim()] = part[(eq + 1)..].Trim();
            }
        }
        var known = Known.FirstOrDefault(k => k.Name == name || k.Preset == name);
        if (known.Name is null)
            throw new ArgumentException($"Unknown architecture '{name}'; the known ones are {string.Join(", ", Known.Select(k => $"{k.Name} ({k.Preset})"))}.", nameof(architecture));

        var reader = new ArgReader(architecture, args);
        Module model = known.Name switch
        {
            "MnistCnn" => MnistCnn(reader.Int("inChannels", 1), reader.Int("numClasses", 10), reader.Int("height", 28), reader.Int("width", 28), generator),
            "GapCnn" => GapCnn(reader.Int("inChannels", 1), reader.Int("numClasses", 10), reader.Enum("pooling", Global.Max), generator),
            "LeNet5" => LeNet5(reader.Int("inChannels", 1), reader.Int("numClasses", 10), reader.Int("height", 32), reader.Int("width", 32), generator),
            "CifarCnn" => CifarCnn(reader.Int("inChannels", 3), reader.Int("numClasses", 10), reader.Int("height", 32), reader.Int("width", 32), generator),
            "ResNet18" => ResNet18(reader.Int("numClasses", 1000), reader.Int("inChannels", 3), generator),
            "Vgg11Bn" => Vgg11Bn(reader.Int("numClasses", 1000), reader.Int("inChannels", 3), generator),
            _ => MobileNetV2(reader.Int("numClasses", 1000), reader.Int("inChannels", 3), generator),
        };
        reader.CheckAllUsed();
        return model;
    }

    private sealed class ArgReader(string architecture, Dictionary<string, string> args)
    {
        private readonly HashSet<string> _used = [];

        public int Int(string name, int fallback)
        {
            _used.Add(name);
            if (!args.TryGetValue(name, out string? text)) return fallback;
            return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v
                : throw new ArgumentException($"Architecture '{architecture}': {name}={text} is not an integer.", nameof(architecture));
        }

        public T Enum<T>(string name, T fallback) where T : struct, System.Enum
        {
            _used.Add(name);
            if (!args.TryGetValue(name, out string? text)) return fallback;
            return System.Enum.TryParse(text, ignoreCase: true, out T v) && System.Enum.IsDefined(v) ? v
                : throw new ArgumentException($"Architecture '{architecture}': {name}={text} is not one of {string.Join(", ", System.Enum.GetNames<T>())}.", nameof(architecture));
        }

        public void CheckAllUsed()
        {
            string? extra = args.Keys.FirstOrDefault(k => !_used.Contains(k));
            if (extra is not null)
                throw new ArgumentException($"Architecture '{architecture}': unknown argument '{extra}' (it takes {string.Join(", ", _used)}).", nameof(architecture));
        }
    }
}
