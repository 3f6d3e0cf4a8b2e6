using ConvSharp.Backends;

namespace ConvSharp.Tests.Interop;

/// <summary>The op enums exist once, in native/kernels/shared/ops.def (read by the C kernels and the OpenCL program);
/// the C# enums of Backends/KernelOps.cs must carry the same values, which the native library reports by name.</summary>
public class NativeEnumTests
{
    [Fact]
    public void UnaryOp_values_equal_the_native_ones() => AssertSame<UnaryOp>("UnaryOp");

    [Fact]
    public void BinaryOp_values_equal_the_native_ones() => AssertSame<BinaryOp>("BinaryOp");

    [Fact]
    public void Unknown_names_are_reported_as_minus_one()
    {
        Assert.Equal(-1, ConvSharp.Interop.Native.cs_enum_value("UnaryOp", "NoSuchOp"));
        Assert.Equal(-1, ConvSharp.Interop.Native.cs_enum_value("NoSuchEnum", "Relu"));
        Assert.Equal(-1, ConvSharp.Interop.Native.cs_enum_value("NoSuchEnum", null));
    }

    private static void AssertSame<T>(string name) where T : struct, Enum
    {
        T[] values = Enum.GetValues<T>();
        Assert.Equal(values.Length, ConvSharp.Interop.Native.cs_enum_value(name, null));
        foreach (T value in values)
            Assert.True(Convert.ToInt32(value) == ConvSharp.Interop.Native.cs_enum_value(name, value.ToString()),
                $"{name}.{value} is {Convert.ToInt32(value)} in C# but {ConvSharp.Interop.Native.cs_enum_value(name, value.ToString())} in ops.def");
    }
}
