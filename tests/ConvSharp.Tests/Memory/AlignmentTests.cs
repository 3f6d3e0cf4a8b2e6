using ConvSharp.Backends.Cpu;

namespace ConvSharp.Tests.Memory;

/// <summary>Every CPU buffer starts on a 64-byte boundary, whatever pooled array it was given, so SIMD kernels
/// take the same path (and round the same way) regardless of pool history.</summary>
public unsafe class AlignmentTests
{
    [Fact]
    public void Cpu_buffers_of_any_length_start_on_a_64_byte_boundary_and_hold_their_length()
    {
        var held = new List<CpuBuffer>();
        try
        {
            for (int length = 1; length <= 4099; length += 37)
            {
                var buffer = new CpuBuffer(Device.Cpu, length, zero: true);
                held.Add(buffer);  // keep them rented so the pool hands out different arrays
                Assert.Equal(0UL, (ulong)buffer.Pointer % 64);
                Assert.Equal(length, buffer.Span.Length);
                Assert.All(buffer.Span.ToArray(), v => Assert.Equal(0f, v));
                buffer.Span.Fill(1f);  // writing the whole logical length stays inside the array
            }
        }
        finally
        {
            foreach (CpuBuffer b in held) b.Release();
        }
    }
}
