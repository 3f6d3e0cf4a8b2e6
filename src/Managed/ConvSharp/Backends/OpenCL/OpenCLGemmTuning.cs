namespace ConvSharp.Backends.OpenCL;

/// <summary>The tile sizes of gemm.cl's cs_sgemm_tiled_* for one device: a work-group computes TM×TN of C in steps of
/// TK (double-buffered in local memory), each work-item RM×RN of it in registers. Picked from a small table by the
/// device's reported properties (GPU or not, work-group limit, local memory), or timed among
/// <see cref="OpenCLGemmTuner.Candidates"/> with CONVSHARP_OPENCL_TUNE=1; products below <see cref="NaiveBelow"/>
/// multiply-adds use the naive kernel, since a mostly empty tile costs more than it saves.</summary>
internal readonly record struct OpenCLGemmTuning(int TM, int TN, int TK, int RM, int RN)
{
    /// <summary>The kernel that runs this tile: "cs_sgemm_tiled_d" (the table's entry, compiled in with -D GEMM_*) or a
    /// candidate's.</summary>
    public string Kernel { get; init; } = "cs_sgemm_tiled_d";

    /// <summary>Whether this tile's work-group and its two staged buffers of TK×(TM+1) and TK×(TN+1) floats fit the device.</summary>
    public bool FitsGemm(OpenCLDeviceInfo device) =>
        (long)GroupX * GroupY <= device.MaxWorkGroupSize && 2L * TK * (TM + TN + 2) * sizeof(float) <= device.LocalMemoryBytes;

    public const long NaiveBelow = 32 * 32 * 32;

    /// <summary>The narrow tile of conv.cl's "n" kernels (16 rows × 64 columns, 128 work-items of 2×4): for GEMMs whose
    /// M is a handful of channels.</summary>
    public static OpenCLGemmTuning ConvNarrow { get; } = new(16, 64, 16, 2, 4);

    /// <summary>Whether this tile's work-group and staged slices fit <paramref name="device"/>.</summary>
    public bool Fits(OpenCLDeviceInfo device) =>
        (long)GroupX * GroupY <= device.MaxWorkGroupSize && (long)TK * (TM + TN + 2) * sizeof(float) <= device.LocalMemoryBytes;

    /// <summary>Tiles of an m×n product.</summary>
    public long Tiles(long m, long n) => ((m + TM - 1) / TM) * ((n + TN - 1) / TN);

    public int GroupX => TN / RN;
    public int GroupY => TM / RM;

    /// <summary>How many k-slices to compute in parallel when C has only <paramref name="tiles"/> tiles: enough
    /// work-groups for four per compute unit, each slice at least four TK steps long; 1 (no split) otherwise.</summary>
    public int Splits(int tiles, int k, int computeUnits)
    {
        int wanted = Math.Max(1, 4 * Math.Max(1, computeUnits));
        if (tiles >= wanted) return 1;
        int byWork = (wanted + tiles - 1) / tiles, byLength = k / (4 * TK);
        return Math.Max(1, Math.Min(byWork, byLength));
    }

    /// <summary>-D options compiling the tile sizes into the program.</summary>
    public string Defines => $"-DGEMM_TM={TM} -DGEMM_TN={TN} -DGEMM_TK={TK} -DGEMM_RM={RM} -DGEMM_RN={RN}";

    public static OpenCLGemmTuning For(OpenCLDeviceInfo device)
    {
        // GPUs: 256 work-items of 4×4 outputs each over a 64×64 tile (local memory 2 buffers · 16·130 floats ≈ 16 KiB).
        // CPU drivers (PoCL) run a work-group as a loop over its items: fewer, fatter items with 8×8
        // register blocks keep the staged tiles in cache and give the vectorizer whole rows.
        OpenCLGemmTuning[] table = device.IsGpu
            ? [new(64, 64, 16, 4, 4), new(32, 32, 16, 4, 4), new(16, 16, 16, 2, 2)]
            : [new(64, 64, 16, 8, 8), new(32, 32, 16, 4, 4), new(16, 16, 16, 2, 2)];
        foreach (var t in table)
            if (t.FitsGemm(device)) return t;
        return table[^1] with { TM = 4, TN = 4, TK = 4, RM = 1, RN = 1 };
    }
}
