using ConvSharp.Backends;

namespace ConvSharp.Tests.Backends.OpenCL;

/// <summary>Softmax, losses, batch norm, dropout, reductions, upsampling, optimizer steps and data kernels on
/// OpenCL against the CPU backend (relative error ≤ 1e-4 unless stated).</summary>
[Collection(OpenCLCollection.Name)]
public class NNKernelParityTests
{
    private static IKernels Cpu => OpenCLTest.Cpu;
    private static IKernels Ocl => OpenCLTest.Kernels;

    [OpenCLTheory]
    [InlineData(4, 10, 1, false)]
    [InlineData(3, 7, 5, true)]
    [InlineData(2, 300, 3, false)]
    public void Softmax_and_its_backward_match(int outer, int n, int inner, bool log)
    {
        var rng = new Random(outer * n + inner);
        long count = (long)outer * n * inner;
        using var x = BufferPair.Random(rng, count, -5f, 5f);
        using var y = BufferPair.Random(rng, count);
        Cpu.Softmax(x.Cpu, y.Cpu, outer, n, inner, log);
        Ocl.Softmax(x.Ocl, y.Ocl, outer, n, inner, log);
        y.AssertClose("Softmax");
        using var dy = BufferPair.Random(rng, count);
        using var dx = BufferPair.Random(rng, count);
        Cpu.SoftmaxBackward(y.Cpu, dy.Cpu, dx.Cpu, outer, n, inner, log);
        Ocl.SoftmaxBackward(y.Ocl, dy.Ocl, dx.Ocl, outer, n, inner, log);
        dx.AssertClose("SoftmaxBackward");
    }

    [OpenCLTheory]
    [InlineData(8, 10, 1, (int)Reduction.Mean, 0f, false)]
    [InlineData(8, 10, 1, (int)Reduction.Sum, 0.1f, true)]
    [InlineData(3, 5, 6, (int)Reduction.None, 0.2f, true)]
    [InlineData(3, 5, 6, (int)Reduction.Mean, 0.0f, true)]
    public void Class_losses_and_their_backward_match(int n, int c, int inner, int reduction, float smoothing, bool weighted)
    {
        var rng = new Random(n * c + inner + reduction);
        var layout = new ClassLossLayout(n, c, inner, IgnoreIndex: 2, smoothing, (Reduction)reduction);
        float[] labels = Enumerable.Range(0, n * inner).Select(_ => (float)rng.Next(c)).ToArray();
        labels[0] = 2;  // one ignored position
        using var target = new BufferPair(labels);
        using var weight = weighted ? BufferPair.Random(rng, c, 0.2f, 2f) : null;
        using var logits = BufferPair.Random(rng, layout.ScoreLength, -3f, 3f);
        using var logp = BufferPair.Random(rng, layout.ScoreLength);
        using var loss = BufferPair.Random(rng, layout.LossLength);
        Assert.Equal(-1, Ocl.FindInvalidClassIndex(target.Ocl, c, 2));
        Cpu.CrossEntropy(layout, logits.Cpu, target.Cpu, weight?.Cpu, logp.Cpu, loss.Cpu);
        Ocl.CrossEntropy(layout, logits.Ocl, target.Ocl, weight?.Ocl, logp.Ocl, loss.Ocl);
        logp.AssertClose("CrossEntropy logProbs");
        loss.AssertClose("CrossEntropy loss");
        using var gl = BufferPair.Random(rng, layout.LossLength);
        using var dlogits = BufferPair.Random(rng, layout.ScoreLength);
        Cpu.CrossEntropyBackward(layout, logp.Cpu, target.Cpu, weight?.Cpu, gl.Cpu, dlogits.Cpu);
        Ocl.CrossEntropyBackward(layout, logp.Ocl, target.Ocl, weight?.Ocl, gl.Ocl, dlogits.Ocl);
        dlogits.AssertClose("CrossEntropyBackward");
        Cpu.NllLoss(layout, logp.Cpu, target.Cpu, weight?.Cpu, loss.Cpu);
        Ocl.NllLoss(layout, logp.Ocl, target.Ocl, weight?.Ocl, loss.Ocl);
        loss.AssertClose("NllLoss");
        Cpu.NllLossBackward(layout, target.Cpu, weight?.Cpu, gl.Cpu, dlogits.Cpu);
        Ocl.NllLossBackward(layout, target.Ocl, weight?.Ocl, gl.Ocl, dlogits.Ocl);
        dlogits.AssertClose("NllLossBackward");
    }

    [OpenCLFact]
    public void Invalid_class_indices_are_found_at_the_same_position()
    {
        using var target = new BufferPair([0f, 1f, 2f, 1.5f, 7f, 3f]);
        Assert.Equal(3, Cpu.FindInvalidClassIndex(target.Cpu, 3, -100));
        Assert.Equal(3, Ocl.FindInvalidClassIndex(target.Ocl, 3, -100));
        Assert.Equal(-1, Ocl.FindInvalidClassIndex(target.Ocl.Slice(0, 3), 3, -100));
    }

    [OpenCLFact]
    public void Binary_cross_entropies_match_and_report_the_same_bad_position()
    {
        var rng = new Random(4);
        using var x = BufferPair.Random(rng, 500, 0.01f, 0.99f);
        using var t = BufferPair.Random(rng, 500, 0f, 1f);
        using var loss = BufferPair.Random(rng, 500);
        Assert.Equal(-1, Cpu.BinaryCrossEntropy(x.Cpu, t.Cpu, loss.Cpu));
        Assert.Equal(-1, Ocl.BinaryCrossEntropy(x.Ocl, t.Ocl, loss.Ocl));
        loss.AssertClose("BinaryCrossEntropy");
        using var dy = BufferPair.Random(rng, 500);
        using var dx = BufferPair.Random(rng, 500);
        using var dt = BufferPair.Random(rng, 500);
        Cpu.BinaryCrossEntropyBackward(x.Cpu, t.Cpu, dy.Cpu, dx.Cpu, dt.Cpu);
        Ocl.BinaryCrossEntropyBackward(x.Ocl, t.Ocl, dy.Ocl, dx.Ocl, dt.Ocl);
        dx.AssertClose("BinaryCrossEntropyBackward dx");
        dt.AssertClose("BinaryCrossEntropyBackward dtarget");

        using var logits = BufferPair.Random(rng, 500, -6f, 6f);
        using var pw = BufferPair.Random(rng, 500, 0.5f, 3f);
        using var dpw = BufferPair.Random(rng, 500);
        Cpu.BinaryCrossEntropyWithLogits(logits.Cpu, t.Cpu, pw.Cpu, loss.Cpu);
        Ocl.BinaryCrossEntropyWithLogits(logits.Ocl, t.Ocl, pw.Ocl, loss.Ocl);
        loss.AssertClose("BinaryCrossEntropyWithLogits");
        Cpu.BinaryCrossEntropyWithLogitsBackward(logits.Cpu, t.Cpu, pw.Cpu, dy.Cpu, dx.Cpu, dt.Cpu, dpw.Cpu);
        Ocl.BinaryCrossEntropyWithLogitsBackward(logits.Ocl, t.Ocl, pw.Ocl, dy.Ocl, dx.Ocl, dt.Ocl, dpw.Ocl);
        dx.AssertClose("BinaryCrossEntropyWithLogitsBackward dx");
        dt.AssertClose("BinaryCrossEntropyWithLogitsBackward dtarget");
        dpw.AssertClose("BinaryCrossEntropyWithLogitsBackward dposWeight");

        float[] bad = x.CpuValues();
        bad[123] = 1.5f;
        bad[321] = -0.5f;
        using var xb = new BufferPair(bad);
        Assert.Equal(123, Cpu.BinaryCrossEntropy(xb.Cpu, t.Cpu, loss.Cpu));
        Assert.Equal(123, Ocl.BinaryCrossEntropy(xb.Ocl, t.Ocl, loss.Ocl));
    }

    [OpenCLTheory]
    [InlineData(true)]
    [InlineData(false)]
    public void Batch_norm_forward_and_backward_match(bool training)
    {
        var rng = new Random(training ? 1 : 2);
        var layout = new BatchNormLayout(4, 3, 50);
        using var x = BufferPair.Random(rng, layout.Length, -2f, 3f);
        using var w = BufferPair.Random(rng, 3, 0.5f, 1.5f);
        using var b = BufferPair.Random(rng, 3);
        using var rm = BufferPair.Random(rng, 3);
        using var rv = BufferPair.Random(rng, 3, 0.5f, 2f);
        using var y = BufferPair.Random(rng, layout.Length);
        using var sm = BufferPair.Random(rng, 3);
        using var si = BufferPair.Random(rng, 3);
        Cpu.BatchNormForward(layout, x.Cpu, w.Cpu, b.Cpu, rm.Cpu, rv.Cpu, training, 0.1f, 1e-5f, y.Cpu, sm.Cpu, si.Cpu);
        Ocl.BatchNormForward(layout, x.Ocl, w.Ocl, b.Ocl, rm.Ocl, rv.Ocl, training, 0.1f, 1e-5f, y.Ocl, sm.Ocl, si.Ocl);
        y.AssertClose("BatchNormForward");
        rm.AssertClose("BatchNormForward running mean");
        rv.AssertClose("BatchNormForward running var");
        sm.AssertClose("BatchNormForward save mean");
        si.AssertClose("BatchNormForward save invstd");
        using var dy = BufferPair.Random(rng, layout.Length);
        using var dx = BufferPair.Random(rng, layout.Length);
        using var dw = BufferPair.Random(rng, 3);
        using var db = BufferPair.Random(rng, 3);
        Cpu.BatchNormBackward(layout, x.Cpu, dy.Cpu, w.Cpu, sm.Cpu, si.Cpu, training, dx.Cpu, dw.Cpu, db.Cpu);
        Ocl.BatchNormBackward(layout, x.Ocl, dy.Ocl, w.Ocl, sm.Ocl, si.Ocl, training, dx.Ocl, dw.Ocl, db.Ocl);
        dx.AssertClose("BatchNormBackward dx");
        dw.AssertClose("BatchNormBackward dweight");
        db.AssertClose("BatchNormBackward dbias");
    }

    [OpenCLTheory]
    [InlineData(1001, 1, 0.7f)]
    [InlineData(24, 37, 0.5f)]
    public void Dropout_masks_are_identical_to_the_cpu_for_the_same_key(int groups, int groupSize, float keep)
    {
        var rng = new Random(groups);
        using var x = BufferPair.Random(rng, (long)groups * groupSize);
        using var y = BufferPair.Random(rng, x.Length);
        using var mask = BufferPair.Random(rng, groups);
        const ulong key = 0x0123456789ABCDEFUL;
        Cpu.Dropout(x.Cpu, y.Cpu, mask.Cpu, groupSize, key, keep, 1f / keep);
        Ocl.Dropout(x.Ocl, y.Ocl, mask.Ocl, groupSize, key, keep, 1f / keep);
        Assert.Equal(mask.CpuValues(), mask.OclValues());
        Assert.Equal(y.CpuValues(), y.OclValues());
        using var dy = BufferPair.Random(rng, x.Length);
        using var dx = BufferPair.Random(rng, x.Length);
        Cpu.DropoutBackward(mask.Cpu, groupSize, dy.Cpu, dx.Cpu);
        Ocl.DropoutBackward(mask.Ocl, groupSize, dy.Ocl, dx.Ocl);
        dx.AssertClose("DropoutBackward");  // dx += dy·m: the CPU build may fuse it into one FMA (one rounding fewer)
    }

    [OpenCLFact]
    public void Max_along_and_index_add_along_match()
    {
        var rng = new Random(8);
        using var x = BufferPair.Random(rng, 4 * 9 * 5);
        using var values = BufferPair.Random(rng, 20);
        using var indices = BufferPair.Random(rng, 20);
        Cpu.MaxAlong(4, 9, 5, x.Cpu, values.Cpu, indices.Cpu);
        Ocl.MaxAlong(4, 9, 5, x.Ocl, values.Ocl, indices.Ocl);
        Assert.Equal(values.CpuValues(), values.OclValues());
        Assert.Equal(indices.CpuValues(), indices.OclValues());
        using var g = BufferPair.Random(rng, 20);
        using var dx = BufferPair.Random(rng, 4 * 9 * 5);
        Cpu.IndexAddAlong(4, 9, 5, g.Cpu, indices.Cpu, dx.Cpu);
        Ocl.IndexAddAlong(4, 9, 5, g.Ocl, indices.Ocl, dx.Ocl);
        Assert.Equal(dx.CpuValues(), dx.OclValues());
    }

    [OpenCLTheory]
    [InlineData(false, false, 2f)]
    [InlineData(true, false, 2f)]
    [InlineData(true, true, 1.7f)]
    [InlineData(false, false, 0.6f)]
    public void Upsample_and_its_backward_match(bool bilinear, bool alignCorners, float factor)
    {
        int h = 5, w = 7, oh = (int)(h * factor), ow = (int)(w * factor);
        float sh = alignCorners ? (h - 1f) / (oh - 1f) : (float)h / oh, sw = alignCorners ? (w - 1f) / (ow - 1f) : (float)w / ow;
        var g = new UpsampleGeometry(bilinear, 6, h, w, oh, ow, sh, sw, alignCorners);
        var rng = new Random(oh * ow);
        using var x = BufferPair.Random(rng, 6L * h * w);
        using var y = BufferPair.Random(rng, 6L * oh * ow);
        Cpu.Upsample(g, x.Cpu, y.Cpu);
        Ocl.Upsample(g, x.Ocl, y.Ocl);
        y.AssertClose("Upsample");
        using var dx = BufferPair.Random(rng, x.Length);
        Cpu.UpsampleBackward(g, y.Cpu, dx.Cpu);
        Ocl.UpsampleBackward(g, y.Ocl, dx.Ocl);
        dx.AssertClose("UpsampleBackward");
    }

    [OpenCLFact]
    public void Fused_optimizer_steps_and_norms_match()
    {
        var rng = new Random(12);
        const int n = 3001;
        using var p = BufferPair.Random(rng, n);
        using var grad = BufferPair.Random(rng, n);
        using var s1 = BufferPair.Random(rng, n);
        using var s2 = BufferPair.Random(rng, n, 0f, 1f);
        using var s3 = BufferPair.Random(rng, n, 0f, 1f);
        var sgd = new OptimStep(0.1f, 0.01f, false) { Momentum = 0.9f, Dampening = 0.1f, Nesterov = true };
        Cpu.SgdStep(p.Cpu, grad.Cpu, s1.Cpu, sgd);
        Ocl.SgdStep(p.Ocl, grad.Ocl, s1.Ocl, sgd);
        var adam = new OptimStep(1e-3f, 0.01f, true) { Beta1 = 0.9f, Beta2 = 0.999f, Eps = 1e-8f, BiasCorrection1 = 0.19f, BiasCorrection2 = 0.002f, Decoupled = true };
        Cpu.AdamStep(p.Cpu, grad.Cpu, s1.Cpu, s2.Cpu, s3.Cpu, adam);
        Ocl.AdamStep(p.Ocl, grad.Ocl, s1.Ocl, s2.Ocl, s3.Ocl, adam);
        Cpu.AdamaxStep(p.Cpu, grad.Cpu, s1.Cpu, s3.Cpu, adam);
        Ocl.AdamaxStep(p.Ocl, grad.Ocl, s1.Ocl, s3.Ocl, adam);
        var rms = new OptimStep(1e-2f, 0f, false) { Alpha = 0.99f, Eps = 1e-8f, Momentum = 0.5f };
        using var ga = BufferPair.Random(rng, n, -0.01f, 0.01f);
        Cpu.RmsPropStep(p.Cpu, grad.Cpu, s2.Cpu, ga.Cpu, s1.Cpu, rms);
        Ocl.RmsPropStep(p.Ocl, grad.Ocl, s2.Ocl, ga.Ocl, s1.Ocl, rms);
        p.AssertClose("optimizer steps");
        s1.AssertClose("optimizer state");
        double cpu2 = Cpu.Norm(grad.Cpu, false), ocl2 = Ocl.Norm(grad.Ocl, false);
        Assert.InRange(Math.Abs(cpu2 - ocl2) / cpu2, 0, 1e-9);  // both sum in double
        Assert.Equal(Cpu.Norm(grad.Cpu, true), Ocl.Norm(grad.Ocl, true));
    }

    [OpenCLFact]
    public void Data_kernels_match()
    {
        var rng = new Random(21);
        byte[] bytes = Enumerable.Range(0, 3 * 20 * 17).Select(_ => (byte)rng.Next(256)).ToArray();
        using var image = BufferPair.Random(rng, bytes.Length);
        Cpu.BytesToFloat(bytes, image.Cpu, 1f / 255);
        Ocl.BytesToFloat(bytes, image.Ocl, 1f / 255);
        Assert.Equal(image.CpuValues(), image.OclValues());

        double c = Math.Cos(0.4), s = Math.Sin(0.4);
        double[] affine = [c, -s, 3.2, s, c, -1.7, 0, 0, 1];
        double[] perspective = [1.1, 0.05, -0.5, -0.02, 0.95, 0.8, 0.001, -0.002, 1];
        using var warped = BufferPair.Random(rng, 3 * 15 * 19);
        foreach (var map in new[] { affine, perspective })
            foreach (Sampling sampling in new[] { Sampling.Nearest, Sampling.Bilinear })
                foreach (Border border in new[] { Border.Constant, Border.Replicate })
                {
                    Cpu.Warp(image.Cpu, 3, 20, 17, warped.Cpu, 15, 19, map, sampling, border, 0.25f);
                    Ocl.Warp(image.Ocl, 3, 20, 17, warped.Ocl, 15, 19, map, sampling, border, 0.25f);
                    warped.AssertClose($"Warp {sampling} {border}");
                }
        using var resized = BufferPair.Random(rng, 3 * 31 * 9);
        Cpu.Resize(image.Cpu, 3, 20, 17, resized.Cpu, 31, 9, Sampling.Bilinear);
        Ocl.Resize(image.Ocl, 3, 20, 17, resized.Ocl, 31, 9, Sampling.Bilinear);
        resized.AssertClose("Resize");
        Cpu.AdjustColor(image.Cpu, 3, 20, 17, 1.3f, 0.7f, true, 0f, 1f);
        Ocl.AdjustColor(image.Ocl, 3, 20, 17, 1.3f, 0.7f, true, 0f, 1f);
        image.AssertClose("AdjustColor");
        Cpu.AdjustColor(image.Cpu.Slice(0, 340), 1, 20, 17, 0.8f, 1.4f, false, 0f, 1f);
        Ocl.AdjustColor(image.Ocl.Slice(0, 340), 1, 20, 17, 0.8f, 1.4f, false, 0f, 1f);
        image.AssertClose("AdjustColor grey");
    }
}
