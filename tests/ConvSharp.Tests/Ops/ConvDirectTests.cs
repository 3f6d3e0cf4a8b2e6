using ConvSharp.Backends;

namespace ConvSharp.Tests.Ops;

/// <summary>The CPU's direct convolution (native/kernels/conv_direct.c) on geometries that reach each of its
/// tiles: channel lanes (K ≥ 8 and C·KH·KW ≥ 32; C ≥ 8 for the input gradient), position lanes (fewer
/// channels), channel counts that are not a multiple of the 16-channel block, position counts that leave
/// partial tiles, dilation, uneven padding, and planes large enough that images are processed in several
/// chunks. Forward, input and weight gradients are compared with double-precision loops (the adjoint sums
/// written out), so shapes can be larger than finite differences allow. Layers whose output is much smaller
/// than the input take the GEMM + col2im input gradient beside the direct forward and weight gradient.</summary>
[DetectLeaks]
public class ConvDirectTests
{
    public static TheoryData<string> Geometries() => new()
    {
        // n, c, k, h, w, kh, kw, ph, pw, dh, dw[, stride]
        "2 8 17 9 11 3 3 1 1 1 1",    // channel lanes; 17 channels: one full block and one of 1
        "3 12 20 7 7 3 3 1 1 1 1",    // 7×7 planes: tiles straddle images
        "1 9 8 10 6 5 3 2 1 1 2",     // 5×3 kernel, uneven padding, dilated columns
        "2 16 33 5 5 3 3 2 2 2 2",    // dilation 2 in both directions
        "2 20 16 4 3 3 3 1 1 1 1",    // C·KH·KW = 180, 12 positions an image
        "3 8 16 40 40 3 3 1 1 1 1",   // one image a chunk (forward, weight gradient), two (input gradient)
        "2 3 5 60 60 3 3 1 1 1 1",    // position lanes, one image a chunk
        "2 1 16 28 28 3 3 1 1 1 1",   // a first layer: position lanes (C·KH·KW = 9)
        "2 6 16 14 14 3 3 0 0 1 1",   // valid padding, output 12×12: input gradient still direct
        "2 6 16 14 14 5 5 0 0 1 1",   // LeNet-5's second layer: output 10×10, input gradient by GEMM + col2im
        "3 16 20 5 5 5 5 0 0 1 1",    // LeNet-5's third layer: one output position an image
        "2 8 16 80 80 3 3 1 1 1 1",   // too large for the chunk budget: bands of output rows
        "1 3 16 70 90 5 5 1 1 1 1 2", // a stride-2 stem on one image: bands shared by the workers
        "2 4 12 20 20 3 3 1 1 1 1 2", // stride 2 with fewer channels than a block
        "2 2 3 15 15 3 3 1 1 1 1 3",  // stride 3, three output channels (strided layers always use channel lanes)
    };

    [Theory]
    [MemberData(nameof(Geometries))]
    public void Direct_convolution_matches_double_loops(string layer)
    {
        int[] v = layer.Split(' ').Select(int.Parse).ToArray();
        int n = v[0], c = v[1], k = v[2], h = v[3], w = v[4], kh = v[5], kw = v[6], ph = v[7], pw = v[8], dh = v[9], dw = v[10];
        int st = v.Length > 11 ? v[11] : 1;
        var geometry = new ConvGeometry(n, c, h, w, kh, kw, st, st, ph, pw, dh, dw);
        Assert.True(ConvSharp.Backends.Cpu.CpuKernels.PrefersDirect(geometry, k), "geometry does not reach the direct kernels");
        int oh = geometry.OH, ow = geometry.OW;
        float[] x = OpCheck.Random(1, n * c * h * w), wt = OpCheck.Random(2, k * c * kh * kw), b = OpCheck.Random(3, k);
        float[] g = OpCheck.Random(4, n * k * oh * ow);
        double[] xd = x.Select(v => (double)v).ToArray(), wd = wt.Select(v => (double)v).ToArray(), gd = g.Select(v => (double)v).ToArray();

        double[] y = ConvTests.Reference(xd, wd, b.Select(v => (double)v).ToArray(), n, c, h, w, k, kh, kw, st, st, ph, pw, ph, pw, dh, dw, 1, out _, out _);
        var dx = new double[x.Length];
        var dwt = new double[wt.Length];
        var db = new double[k];
        for (int bi = 0; bi < n; bi++)
        for (int ko = 0; ko < k; ko++)
        for (int i = 0; i < oh; i++)
        for (int j = 0; j < ow; j++)
        {
            double gv = gd[((bi * k + ko) * oh + i) * ow + j];
            db[ko] += gv;
            for (int ci = 0; ci < c; ci++)
            for (int r = 0; r < kh; r++)
            for (int s = 0; s < kw; s++)
            {
                int ih = i * st - ph + r * dh, iw = j * st - pw + s * dw;
                if (ih < 0 || ih >= h || iw < 0 || iw >= w) continue;
                int xi = ((bi * c + ci) * h + ih) * w + iw, wi = ((ko * c + ci) * kh + r) * kw + s;
                dx[xi] += gv * wd[wi];
                dwt[wi] += gv * xd[xi];
            }
        }

        using var scope = Tensor.Scope();
        var xt = Tensor.FromArray(x, n, c, h, w);
        var wtt = Tensor.FromArray(wt, k, c, kh, kw);
        var bt = Tensor.FromArray(b, k);
        xt.RequiresGrad = wtt.RequiresGrad = bt.RequiresGrad = true;
        var output = Tensor.Conv2d(xt, wtt, bt, st, (ph, pw), (dh, dw));
        OpCheck.AssertClose(y, output.ToArray(), 1e-4, "forward");
        output.Backward(Tensor.FromArray(g, n, k, oh, ow));
        OpCheck.AssertClose(dx, xt.Grad!.ToArray(), 1e-4, "input gradient");
        OpCheck.AssertClose(dwt, wtt.Grad!.ToArray(), 1e-4, "weight gradient");
        OpCheck.AssertClose(db, bt.Grad!.ToArray(), 1e-4, "bias gradient");
        xt.Grad!.Dispose(); wtt.Grad!.Dispose(); bt.Grad!.Dispose();
    }

    [Fact]
    public void Which_layers_run_direct_and_which_gather_their_input_gradient()
    {
        var lenet3 = new ConvGeometry(16, 16, 5, 5, 5, 5);  // 5×5 → 1×1: a correlation over the input would be 25× the work
        Assert.True(ConvSharp.Backends.Cpu.CpuKernels.PrefersDirect(lenet3, 120));
        Assert.False(lenet3.GathersInputGradient);
        Assert.True(new ConvGeometry(16, 6, 14, 14, 3, 3).GathersInputGradient);  // 12×12 output
        Assert.True(new ConvGeometry(16, 32, 7, 7, 3, 3, 1, 1, 1, 1).GathersInputGradient);
        var stem = new ConvGeometry(1, 3, 64, 64, 5, 5, 2, 2, 2, 2);
        Assert.True(ConvSharp.Backends.Cpu.CpuKernels.PrefersDirect(stem, 16));
        Assert.False(stem.GathersInputGradient);
        // C·KH·KW = 2,304: long enough an inner dimension for OpenBLAS's GEMM
        Assert.False(ConvSharp.Backends.Cpu.CpuKernels.PrefersDirect(new ConvGeometry(8, 256, 14, 14, 3, 3, 1, 1, 1, 1), 256));
    }
}
