using ConvSharp.IO;
using ConvSharp.NN;
using static ConvSharp.Tests.IO.SafeTensorsFixture;

namespace ConvSharp.Tests.IO;

public class ModuleCheckpointTests
{
    /// <summary>Shaped like PyTorch's BatchNorm1d in its state_dict: two parameters and three buffers.</summary>
    private sealed class NormLike : Module
    {
        public NormLike(int features)
        {
            RegisterParameter("weight", new Parameter(features));
            RegisterParameter("bias", new Parameter(features));
            RegisterBuffer("running_mean", Tensor.Zeros(features));
            RegisterBuffer("running_var", Tensor.Ones(features));
            RegisterBuffer("num_batches_tracked", Tensor.Zeros());
        }

        protected override Tensor ForwardCore(Tensor input) => input;
    }

    private static Sequential Model(int seed) =>
        new(new Linear(4, 3, generator: new Generator(seed)), new ReLU(), new Linear(3, 2, generator: new Generator(seed + 1)), new NormLike(2));

    private static Dictionary<string, float[]> Snapshot(Module m) => m.StateDict().ToDictionary(e => e.Name, e => e.Tensor.ToArray());

    [Fact]
    public void State_dict_lists_parameters_then_buffers_module_by_module_like_pytorch()
    {
        using var model = Model(1);
        Assert.Equal(
            ["0.weight", "0.bias", "2.weight", "2.bias", "3.weight", "3.bias", "3.running_mean", "3.running_var", "3.num_batches_tracked"],
            model.StateDict().Select(e => e.Name));
    }

    [Fact]
    public void A_model_round_trips_parameters_and_buffers_through_a_file()
    {
        using var dir = new TempFolder();
        using var saved = Model(1);
        float next = 0.25f;  // distinct values for the NormLike parameters and buffers
        foreach (var (_, t) in saved.StateDict().Skip(4))
            t.CopyFrom(Enumerable.Range(0, (int)t.Numel).Select(_ => next += 0.25f).ToArray());
        string path = dir.File("model.safetensors");
        saved.Save(path);

        using var loaded = Model(100);
        Assert.NotEqual(Snapshot(saved)["0.weight"], Snapshot(loaded)["0.weight"]);
        loaded.Load(path);
        Assert.Equal(Snapshot(saved), Snapshot(loaded));

        using var scope = Tensor.Scope();
        var x = Tensor.Randn([5, 4], seed: 9);
        Assert.Equal(saved.Forward(x).ToArray(), loaded.Forward(x).ToArray());
        Assert.Equal("pt", SafeTensors.ReadHeader(path).Metadata["format"]);
        Assert.Equal(["model.safetensors"], dir.FileNames());
    }

    [Fact]
    public void A_file_laid_out_as_pytorchs_save_file_writes_it_loads_including_an_int64_counter()
    {
        // save_file(model.state_dict()) for nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2)): tensors sorted by
        // dtype (I64 before F32), then by name; the header padded with spaces to a multiple of 8.
        const string json =
            "{\"1.num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]}," +
            "\"0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}," +
            "\"0.weight\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[16,32]}," +
            "\"1.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[32,40]}," +
            "\"1.running_mean\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[40,48]}," +
            "\"1.running_var\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[48,56]}," +
            "\"1.weight\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[56,64]}}";
        byte[] data =
        [
            12, 0, 0, 0, 0, 0, 0, 0,
            .. F32(5, 6), .. F32(1, 2, 3, 4), .. F32(0.1f, 0.2f), .. F32(-1, 1), .. F32(0.5f, 2), .. F32(0.9f, 1.1f),
        ];
        using var dir = new TempFolder();
        string path = Write(dir.File("torch.safetensors"), json, data, pad: true);

        using var model = new Sequential(new Linear(2, 2), new NormLike(2));
        model.Load(path);
        Dictionary<string, float[]> state = Snapshot(model);
        Assert.Equal([1f, 2, 3, 4], state["0.weight"]);
        Assert.Equal([5f, 6], state["0.bias"]);
        Assert.Equal([0.9f, 1.1f], state["1.weight"]);
        Assert.Equal([0.1f, 0.2f], state["1.bias"]);
        Assert.Equal([-1f, 1], state["1.running_mean"]);
        Assert.Equal([0.5f, 2], state["1.running_var"]);
        Assert.Equal([12f], state["1.num_batches_tracked"]);
    }

    [Fact]
    public void A_mismatched_file_reports_every_missing_unexpected_and_misshaped_key_and_changes_nothing()
    {
        using var dir = new TempFolder();
        using var w0 = Tensor.Ones(3, 4);
        using var w2 = Tensor.Ones(3, 2);  // the model's is [2, 3]
        using var b2 = Tensor.Ones(2);
        using var extra = Tensor.Ones(1);
        using var norm = Tensor.Ones(5);     // the model's is [2]
        string path = dir.File("other.safetensors");
        SafeTensors.Save(path, [("0.weight", w0), ("2.weight", w2), ("2.bias", b2), ("extra.weight", extra), ("3.running_mean", norm)]);

        using var model = Model(1);
        Dictionary<string, float[]> before = Snapshot(model);
        var e = Assert.Throws<InvalidDataException>(() => model.Load(path));

        string nl = Environment.NewLine;
        Assert.Equal(
            $"Cannot load '{path}' into Sequential: it does not match the model.{nl}" +
            $"  missing keys (in the model, not in the file): \"0.bias\", \"3.weight\", \"3.bias\", \"3.running_var\", \"3.num_batches_tracked\"{nl}" +
            $"  unexpected keys (in the file, not in the model): \"extra.weight\"{nl}" +
            $"  shape mismatch for 2.weight: the file has [3, 2], the model has [2, 3]{nl}" +
            $"  shape mismatch for 3.running_mean: the file has [5], the model has [2]",
            e.Message);
        Assert.Equal(before, Snapshot(model));
    }

    [Fact]
    public void Non_strict_load_skips_missing_and_unexpected_keys_but_not_a_shape_mismatch()
    {
        using var dir = new TempFolder();
        using var w0 = Tensor.Full([3, 4], 7f);
        using var extra = Tensor.Ones(1);
        string path = dir.File("partial.safetensors");
        SafeTensors.Save(path, [("0.weight", w0), ("extra", extra)]);

        using var model = Model(1);
        float[] bias = model.StateDict().First(e => e.Name == "0.bias").Tensor.ToArray();
        model.Load(path, strict: false);
        Dictionary<string, float[]> state = Snapshot(model);
        Assert.All(state["0.weight"], v => Assert.Equal(7f, v));
        Assert.Equal(bias, state["0.bias"]);

        using var wrong = Tensor.Ones(4, 3);
        SafeTensors.Save(path, [("0.weight", wrong)]);
        var e = Assert.Throws<InvalidDataException>(() => model.Load(path, strict: false));
        Assert.EndsWith("  shape mismatch for 0.weight: the file has [4, 3], the model has [3, 4]", e.Message);
        Assert.DoesNotContain("missing", e.Message);
    }

    [Fact]
    public void A_dtype_that_does_not_convert_is_reported_as_a_mismatch()
    {
        using var dir = new TempFolder();
        string path = Write(dir.File("c64.safetensors"),
            "{\"weight\":{\"dtype\":\"C64\",\"shape\":[1,1],\"data_offsets\":[0,8]},\"bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}",
            new byte[12]);
        using var layer = new Linear(1, 1);
        var e = Assert.Throws<InvalidDataException>(() => layer.Load(path));
        Assert.EndsWith("  dtype mismatch for weight: the file has C64, which cannot be converted to float32", e.Message);
    }

    [Fact]
    public void Loading_a_corrupt_checkpoint_changes_no_weight()
    {
        using var dir = new TempFolder();
        using var model = Model(1);
        string path = dir.File("model.safetensors");
        model.Save(path);
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^1]);

        using var other = Model(50);
        Dictionary<string, float[]> before = Snapshot(other);
        var e = Assert.Throws<InvalidDataException>(() => other.Load(path));
        Assert.Contains("is the file truncated?", e.Message);
        Assert.Equal(before, Snapshot(other));
    }
}
