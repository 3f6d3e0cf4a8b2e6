using ConvSharp.Backends;

namespace ConvSharp;

/// <summary>An n-dimensional float32 array on a <see cref="Device"/>: contiguous, row-major, with an
/// <c>int[]</c> shape (N, C, H, W for images). Storage is pooled: <see cref="Dispose"/> (or the
/// enclosing <see cref="Scope"/>) gives it back; views made by <see cref="Reshape"/> share it.</summary>
public partial class Tensor : IDisposable
{
    private DeviceBuffer? _buffer;
    private long _offset;
    private readonly int[] _shape;
    private long[]? _strides;
    private Device _device;

    /// <summary>Wraps storage. <paramref name="owned"/> tensors (parameters, gradients, optimizer state)
    /// are not registered in the current <see cref="Scope"/>: their owner disposes them.</summary>
    private protected Tensor(DeviceBuffer buffer, long offset, int[] shape, long count, bool owned)
    {
        _buffer = buffer;
        _device = buffer.Device;
        _offset = offset;
        _shape = shape;
        Numel = count;
        if (!owned) TensorScope.Register(this);
    }

    /// <summary>A new tensor that owns fresh storage on <paramref name="device"/>.</summary>
    internal static Tensor Allocate(Device device, int[] shape, bool zero, bool owned = false)
    {
        long count = Guard.Shape(shape);
        return new Tensor(device.Kernels.Allocate(count, zero), 0, (int[])shape.Clone(), count, owned);
    }

    /// <summary>A new tensor of the same shape on the same device.</summary>
    internal Tensor NewLike(bool zero) => Allocate(Device, _shape, zero);

    /// <summary>A new tensor of the given shape on the same device.</summary>

    /// <summary>Row-major element strides of this (contiguous) tensor.</summary>
    internal ReadOnlySpan<long> Strides => _strides ??= Shapes.ContiguousStrides(_shape);

    /// <summary>This tensor as a kernel operand addressed through its own shape.</summary>
    internal StridedOperand Contiguous() => new(Data, Strides);

    /// <summary>The shape, one entry per dimension (a copy; changing it changes nothing).</summary>
    public int[] Shape => (int[])_shape.Clone();

    /// <summary>The number of dimensions.</summary>
    public int Dim => _shape.Length;

    /// <summary>The size of dimension <paramref name="dim"/>; negative values count from the end.</summary>
    public int Size(int dim) => _shape[NormalizeDim(dim)];

    /// <summary>The number of elements.</summary>
    public long Numel { get; }

    /// <summary>Where the storage lives (still answers after Dispose).</summary>
    public Device Device => _device;

    /// <summary>Whether <see cref="Dispose"/> has run.</summary>
    public bool IsDisposed => _buffer is null;

    internal ReadOnlySpan<int> ShapeSpan => _shape;

    internal DeviceBuffer Buffer =>
        _buffer ?? throw new ObjectDisposedException(nameof(Tensor), $"This tensor of shape {Guard.Format(_shape)} was disposed.");

    /// <summary>The elements as a kernel argument.</summary>
    internal BufferSlice Data => new(Buffer, _offset, Numel);

    internal IKernels Kernels => _device.Kernels;

    /// <summary>The elements as a span over the tensor's own storage (CPU tensors only); no copy.
    /// Valid until the tensor is disposed.</summary>
    public Span<float> AsSpan()
    {
        BufferSlice data = Data;
        if (!data.IsHost)
            throw new InvalidOperationException($"AsSpan needs a CPU tensor, but this one is on {Device}; call ToArray() or To(Device.Cpu) first.");
        return data.HostSpan();
    }

    /// <summary>A copy of the elements, in row-major order.</summary>
    public float[] ToArray()
    {
        var result = new float[Numel];
        Kernels.Download(Data, result);
        return result;
    }

    /// <summary>Overwrites the elements with <paramref name="values"/>, which must hold exactly <see cref="Numel"/> floats.</summary>
    public void CopyFrom(ReadOnlySpan<float> values)
    {
        if (values.Length != Numel)
            throw new ArgumentException(
                $"CopyFrom got {values.Length} values, but this tensor of shape {Guard.Format(_shape)} holds {Numel}.", nameof(values));
        Kernels.Upload(values, Data);
    }

    /// <summary>The value of a one-element tensor.</summary>
    public float Item()
    {
        BufferSlice data = Data;
        if (Numel != 1)
            throw new InvalidOperationException($"Item() needs a tensor with one element, but this one has shape {Guard.Format(_shape)} ({Numel} elements).");
        Span<float> one = stackalloc float[1];
        Kernels.Download(data, one);
        return one[0];
    }

    /// <summary>A view with another shape over the same storage (PyTorch's <c>view</c>/<c>reshape</c> of a
    /// contiguous tensor). One dimension may be -1: it is inferred from the others.</summary>
    public Tensor Reshape(params int[] shape)
    {
        Guard.NotNull(shape);
        int[] resolved = ResolveShape(shape);
        return ReshapeOp(resolved);
    }

    /// <summary>A view of the same storage with another shape and no autograd history.</summary>
    internal Tensor Alias(int[] shape, bool owned = false)
    {
        DeviceBuffer buffer = Buffer;
        buffer.AddReference();
        return new Tensor(buffer, _offset, shape, Numel, owned);
    }

    /// <summary>Gives the storage back to its pool. Safe to call twice; using the tensor afterwards
    /// throws <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        Interlocked.Exchange(ref _buffer, null)?.Release();
        // The node that made this tensor goes too: its saved scratch (an im2col matrix can be megabytes) returns to
        // the pool now rather than at the next GC, and a later Backward through it says so instead of stopping silently.
        GradFn?.Free();
        GC.SuppressFinalize(this);
    }

    internal int NormalizeDim(int dim)
    {
        int d = dim < 0 ? dim + _shape.Length : dim;
        if (d < 0 || d >= _shape.Length)
            throw new ArgumentOutOfRangeException(nameof(dim), dim, $"Dimension {dim} is out of range for a tensor of shape {Guard.Format(_shape)}.");
        return d;
    }

    internal int[] ResolveShape(int[] shape)
    {
        int inferred = -1;
        long known = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] == -1)
            {
                if (inferred >= 0)
                    throw new ArgumentException($"Reshape to {Guard.Format(shape)}: only one dimension can be -1.", nameof(shape));
                inferred = i;
            }
            else if (shape[i] < 1)
            {
                throw new ArgumentException($"Reshape to {Guard.Format(shape)}: dimension {i} is {shape[i]}; every dimension must be at least 1 (or -1 to infer it).", nameof(shape));
            }
            else
            {
                known *= shape[i];
            }
        }
        int[] result = (int[])shape.Clone();
        if (inferred >= 0)
        {
            if (Numel % known != 0)
                throw new ArgumentException($"Cannot reshape a tensor of shape {Guard.Format(_shape)} ({Numel} elements) to {Guard.Format(shape)}.", nameof(shape));
            result[inferred] = (int)(Numel / known);
        }
        else if (known != Numel)
        {
            throw new ArgumentException($"Cannot reshape a tensor of shape {Guard.Format(_shape)} ({Numel} elements) to {Guard.Format(shape)} ({known} elements).", nameof(shape));
        }
        return result;
    }
}
