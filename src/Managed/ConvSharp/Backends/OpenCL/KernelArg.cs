using System.Runtime.CompilerServices;

namespace ConvSharp.Backends.OpenCL;

/// <summary>Up to 64 bytes of one kernel argument's value (an OpenCL long8 / int16 is the largest used).</summary>
[InlineArray(8)]
internal struct ArgBytes
{
    private long _element;
}

/// <summary>One argument of an OpenCL kernel call. A buffer slice is two kernel arguments, the cl_mem and
/// its offset in floats (every .cl kernel declares them in that order); an absent optional slice passes
/// NULL and offset 0. Scalars and vectors are copied by value.</summary>
internal struct KernelArg
{
    internal enum ArgKind { Slice, Value }

    internal ArgKind Kind;
    internal OpenCLBuffer? Buffer;
    internal long Offset;
    internal ArgBytes Bytes;
    internal int Size;

    public static implicit operator KernelArg(BufferSlice slice) => new()
    {
        Kind = ArgKind.Slice, Buffer = OpenCLKernels.BufferOf(slice), Offset = slice.Offset,
    };

    public static implicit operator KernelArg(BufferSlice? slice) =>
        slice is { } s ? s : new KernelArg { Kind = ArgKind.Slice, Buffer = null, Offset = 0 };

    public static implicit operator KernelArg(long value) => Of(value);
    public static implicit operator KernelArg(ulong value) => Of(value);
    public static implicit operator KernelArg(int value) => Of(value);
    public static implicit operator KernelArg(uint value) => Of(value);
    public static implicit operator KernelArg(float value) => Of(value);

    /// <summary>A NULL bare cl_mem argument (an absent buffer declared without an offset).</summary>
    public static KernelArg NullMem => Of<nint>(0);

    /// <summary>A bare cl_mem argument with no offset argument after it.</summary>
    public static KernelArg Mem(OpenCLBuffer buffer)
    {
        var arg = Of(buffer.Mem);
        return arg;
    }

    /// <summary>An OpenCL vector (int2/int4/int8/int16, long8): the values, zero-padded to <paramref name="lanes"/>.</summary>
    public static KernelArg Vector<T>(ReadOnlySpan<T> values, int lanes) where T : unmanaged
    {
        var arg = new KernelArg { Kind = ArgKind.Value, Size = lanes * Unsafe.SizeOf<T>() };
        if (values.Length > lanes || arg.Size > 64) throw new ArgumentException($"A vector argument holds at most {lanes} values.", nameof(values));
        Span<T> target = System.Runtime.InteropServices.MemoryMarshal.Cast<long, T>((Span<long>)arg.Bytes);
        values.CopyTo(target);
        return arg;
    }

    private static KernelArg Of<T>(T value) where T : unmanaged
    {
        var arg = new KernelArg { Kind = ArgKind.Value, Size = Unsafe.SizeOf<T>() };
        Unsafe.As<ArgBytes, T>(ref arg.Bytes) = value;
        return arg;
    }
}
