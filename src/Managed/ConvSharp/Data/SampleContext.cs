using ConvSharp.Backends;

namespace ConvSharp.Data;

/// <summary>What one thread needs to produce samples: the <see cref="Generator"/> that random transforms
/// draw from (the <see cref="DataLoader"/> reseeds it for every sample from (seed, epoch, index)) and two
/// reusable scratch images for the transform pipeline, so steady-state loading allocates nothing.
/// One context is used by one thread at a time.</summary>
public sealed class SampleContext
{
    private readonly DeviceBuffer?[] _scratch = new DeviceBuffer?[2];

    internal SampleContext(Generator generator) => Generator = generator;

    /// <summary>The generator random transforms draw from for the current sample.</summary>
    public Generator Generator { get; }

    /// <summary>Reseeds <see cref="Generator"/> for sample <paramref name="index"/> of <paramref name="epoch"/>.</summary>
    internal void Reseed(long seed, long epoch, long index) => Generator.ManualSeed(SeedMix.Sample(seed, epoch, index));

    /// <summary>Scratch image <paramref name="slot"/> (0 or 1), grown to hold <paramref name="shape"/> if needed.</summary>
    internal ImageBuffer Scratch(int slot, ImageShape shape, float maxValue)
    {
        long length = shape.Length;
        DeviceBuffer? buffer = _scratch[slot];
        if (buffer is null || buffer.Length < length)
        {
            buffer?.Release();
            long capacity = Math.Min(Array.MaxLength, (long)System.Numerics.BitOperations.RoundUpToPowerOf2((ulong)Math.Max(length, 16)));
            buffer = _scratch[slot] = Device.Cpu.Kernels.Allocate(capacity, zero: false);
        }
        return new ImageBuffer(new BufferSlice(buffer, 0, length), shape, maxValue);
    }

    /// <summary>Gives the scratch buffers back to the pool.</summary>
    internal void Release()
    {
        for (int i = 0; i < _scratch.Length; i++)
        {
            _scratch[i]?.Release();
            _scratch[i] = null;
        }
    }
}
