using ConvSharp.Data;

namespace ConvSharp.Tests.Reliability;

/// <summary>Size arithmetic never wraps around: shapes, batch sizes and convolution geometries beyond one buffer are an
/// ArgumentException naming the sizes, before anything is allocated.</summary>
public sealed class SizeOverflowTests
{
    public static TheoryData<string> Cases() =>
    [
        "zeros int.MaxValue^3", "zeros int.MaxValue^2", "empty 65536^2", "ones int.MaxValue x 2", "dataloader int.MaxValue",
        "dataloader 2^31/784+1", "conv padding int.MaxValue", "conv padding (0, int.MaxValue)", "conv dilation huge", "reshape huge",
    ];

    private static (Action Call, string[] Fragments) Case(string name)
    {
        var dataset = new TensorDataset(Tensor.Zeros(4, 1, 28, 28), Tensor.Zeros(4));
        return name switch
        {
            "zeros int.MaxValue^3" => (() => Tensor.Zeros(int.MaxValue, int.MaxValue, int.MaxValue),
                ["[2147483647, 2147483647, 2147483647]", "9903520300447984150353281023"]),
            "zeros int.MaxValue^2" => (() => Tensor.Zeros(int.MaxValue, int.MaxValue), ["[2147483647, 2147483647]", "4611686014132420609"]),
            "empty 65536^2" => (() => Tensor.Empty(65536, 65536), ["[65536, 65536]", "4294967296"]),
            "ones int.MaxValue x 2" => (() => Tensor.Ones(int.MaxValue, 2), ["[2147483647, 2]", "4294967294"]),
            "dataloader int.MaxValue" => (() => new DataLoader(dataset, int.MaxValue), ["batchSize 2147483647", "1x28x28"]),
            "dataloader 2^31/784+1" => (() => new DataLoader(dataset, (int)(Array.MaxLength / 784) + 1), [$"batchSize {Array.MaxLength / 784 + 1} of samples 1x28x28", "784 floats each"]),
            "conv padding int.MaxValue" => (() => Tensor.Conv2d(Tensor.Zeros(1, 1, 5, 5), Tensor.Zeros(1, 1, 3, 3), padding: int.MaxValue),
                ["padding 2147483647x2147483647", "too large"]),
            "conv padding (0, int.MaxValue)" => (() => Tensor.Conv2d(Tensor.Zeros(1, 1, 5, 5), Tensor.Zeros(1, 1, 3, 3), padding: (0, int.MaxValue)),
                ["padding 0x2147483647", "too large"]),
            "conv dilation huge" => (() => Tensor.Conv2d(Tensor.Zeros(1, 1, 5, 5), Tensor.Zeros(1, 1, 3, 3), dilation: int.MaxValue),
                ["dilation 2147483647x2147483647"]),
            "reshape huge" => (() => Tensor.Zeros(4).Reshape(int.MaxValue, int.MaxValue, -1), ["[2147483647, 2147483647, -1]"]),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_size_that_does_not_fit_is_an_argument_exception_naming_it(string name)
    {
        var (call, fragments) = Case(name);
        using var scope = Tensor.Scope();
        var e = Assert.ThrowsAny<ArgumentException>(call);
        foreach (string f in fragments) Assert.Contains(f, e.Message);
    }

    [Fact]
    public void A_conv2d_module_with_padding_int_max_is_refused_at_forward_by_the_managed_checks()
    {
        using var conv = new ConvSharp.NN.Conv2d(1, 1, 3, padding: int.MaxValue);
        using var x = Tensor.Zeros(1, 1, 5, 5);
        var e = Assert.Throws<ArgumentException>(() => conv.Forward(x));
        Assert.DoesNotContain("managed checks should have caught", e.Message);
        Assert.Contains("2147483647", e.Message);
    }
}
