using ConvSharp.Backends;
using ConvSharp.Backends.OpenCL;

namespace ConvSharp.Tests.Backends.OpenCL;

/// <summary>gemm.cl's tiles (the table's and each CONVSHARP_OPENCL_TUNE candidate) against OpenBLAS on odd sizes, both
/// transposes, leading dimensions wider than the rows and operands at odd offsets (so the float4 loads meet every
/// misalignment and ragged edge), and the tuning cache: a second backend instance reads the choice without timing; a
/// corrupt cache file is reported and replaced, not fatal.</summary>
[Collection(OpenCLCollection.Name)]
[DetectLeaks]
public class GemmTuningTests
{
    private static ConvSharp.Backends.Cpu.CpuKernels Cpu => OpenCLTest.Cpu;
    private static OpenCLKernels Ocl => OpenCLTest.Kernels;

    public static TheoryData<int> Tiles()
    {
        var data = new TheoryData<int> { -1 };   // -1: the table's tile
        for (int i = 0; i < OpenCLGemmTuner.Candidates.Length; i++) data.Add(i);
        return data;
    }

    [OpenCLTheory]
    [MemberData(nameof(Tiles))]
    public void Every_gemm_tile_matches_OpenBlas_on_odd_sizes_transposes_leading_dimensions_and_offsets(int tile)
    {
        OpenCLContext context = Ocl.Context;
        if (tile >= 0) Assert.True(context.HasGemmCandidates, "PoCL's limits fit every candidate, so the program must hold them");
        OpenCLGemmTuning saved = context.Gemm;
        context.Gemm = tile < 0 ? context.CompiledGemm : OpenCLGemmTuner.Candidates[tile];
        try
        {
            foreach (var (ta, tb, m, n, k) in new[] { (false, false, 67, 45, 130), (true, false, 130, 67, 33), (false, true, 33, 129, 17),
                         (true, true, 100, 31, 300), (false, true, 16, 9, 3001) })   // the last: split-k
            {
                var rng = new Random(m + 3 * n + 7 * k + tile);
                int lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 1, ldc = n + 2;
                const int offset = 5;   // no operand starts on a 16-byte boundary
                using var a = BufferPair.Random(rng, offset + (long)(ta ? k : m) * lda);
                using var b = BufferPair.Random(rng, offset + (long)(tb ? n : k) * ldb);
                using var c = BufferPair.Random(rng, offset + (long)m * ldc);
                BufferSlice Part(BufferSlice s) => s.Slice(offset, s.Length - offset);
                Cpu.Gemm(ta, tb, m, n, k, 0.7f, Part(a.Cpu), lda, Part(b.Cpu), ldb, 0.3f, Part(c.Cpu), ldc);
                Ocl.Gemm(ta, tb, m, n, k, 0.7f, Part(a.Ocl), lda, Part(b.Ocl), ldb, 0.3f, Part(c.Ocl), ldc);
                float[] cpu = c.CpuValues(), ocl = c.OclValues();
                for (int i = 0; i < offset; i++) Assert.Equal(cpu[i], ocl[i]);   // nothing written before C
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < ldc; j++)
                    {
                        int at = offset + i * ldc + j;
                        if (j >= n) { Assert.Equal(cpu[at], ocl[at]); continue; }   // the padding columns stay as they were
                        double err = Math.Abs((double)ocl[at] - cpu[at]) / Math.Max(1.0, Math.Abs(cpu[at]));
                        Assert.True(err <= 1e-4, $"{context.Gemm.Kernel} {(ta ? "T" : "N")}{(tb ? "T" : "N")} {m}×{n}×{k} [{i},{j}]: OpenCL {ocl[at]}, CPU {cpu[at]}");
                    }
            }
        }
        finally
        {
            context.Gemm = saved;
        }
    }

    [OpenCLFact]
    public void A_tuned_choice_is_cached_and_a_second_backend_instance_reads_it_without_timing()
    {
        string folder = Path.Combine(Path.GetTempPath(), "convsharp-tune-" + Guid.NewGuid().ToString("N"));
        try
        {
            var warnings = new StringWriter();
            var first = new OpenCLContext(Ocl.Context.Info);
            first.ResolveGemm(Ocl.Device, folder, warnings);
            Assert.Equal(OpenCLGemmTuner.Source.Timed, first.GemmSource);
            Assert.Contains(first.Gemm, OpenCLGemmTuner.Candidates);
            string path = OpenCLGemmTuner.CachePath(Ocl.Context.Info, folder);
            Assert.StartsWith(first.Gemm.Kernel + " ", File.ReadAllText(path));

            var second = new OpenCLContext(Ocl.Context.Info);
            OpenCLCounters before = second.Counters;
            second.ResolveGemm(Ocl.Device, folder, warnings);
            Assert.Equal(OpenCLGemmTuner.Source.Cache, second.GemmSource);
            Assert.Equal(first.Gemm, second.Gemm);
            Assert.Equal(0, (second.Counters - before).Launches);   // nothing timed
            Assert.Equal("", warnings.ToString());

            File.WriteAllText(path, "\u0001garbage that names no tile");
            var third = new OpenCLContext(Ocl.Context.Info);
            third.ResolveGemm(Ocl.Device, folder, warnings);
            Assert.Equal(OpenCLGemmTuner.Source.Timed, third.GemmSource);
            Assert.Contains("holds no known tile", warnings.ToString());
            Assert.Contains(path, warnings.ToString());
            Assert.StartsWith(third.Gemm.Kernel + " ", File.ReadAllText(path));   // replaced by a good one
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }
}
