using ConvSharp.Backends.OpenCL;
using ConvSharp.Backends;

namespace ConvSharp.Tests.Backends.OpenCL;

/// <summary>Softmax, losses, batch norm, dropout, reductions, upsampling, optimizer steps and data kernels on
/// OpenCL against the CPU backend (relative error ≤ 1e-4 unless stated).</summary>
[Collection(OpenCLCollection.Name)]
[DetectLeaks]
public class NNKernelParityTests
{
    private static ConvSharp.Backends.Cpu.CpuKernels Cpu => OpenCLTest.Cpu;
    private static OpenCLKernels Ocl => OpenCLTest.Kernels;

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
        var layout = new LossLayout(n, c, inner, IgnoreIndex: 2, smoothing, (Reduction)reduction);
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
        Cpu.BatchNorm(layout, x.Cpu, w.Cpu, b.Cpu, rm.Cpu, rv.Cpu, training, 0.1f, 1e-5f, y.Cpu, sm.Cpu, si.Cpu);
        Ocl.BatchNorm(layout, x.Ocl, w.Ocl, b.Ocl, rm.Ocl, rv.Ocl, training, 0.1f, 1e-5f, y.Ocl, sm.Ocl, si.Ocl);
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
    }

    [OpenCLFact]
    public void Max_along_and_index_add_along_match()
    {
        var rng = new Random(8);
        using var x = BufferPair.Random(rng, 4 * 9 * 5);
        using var values = BufferPair.Random(rng, 20);
        using var indices = BufferPair.Random(rng, 20);
        Cpu.Reduce(ReduceOp.Max, 4, 9, 5, x.Cpu, values.Cpu, indices.Cpu);
        Ocl.Reduce(ReduceOp.Max, 4, 9, 5, x.Ocl, values.Ocl, indices.Ocl);
        Assert.Equal(values.CpuValues(), values.OclValues());
        Assert.Equal(indices.CpuValues(), indices.OclValues());
        using var g = BufferPair.Random(rng, 20);
        using var dx = BufferPair.Random(rng, 4 * 9 * 5);
        Cpu.ScatterAddAlong(4, 9, 5, 1, g.Cpu, indices.Cpu, dx.Cpu);
        Ocl.ScatterAddAlong(4, 9, 5, 1, g.Ocl, indices.Ocl, dx.Ocl);
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
        Cpu.OptimStep(OptimKind.Sgd, p.Cpu, grad.Cpu, s1.Cpu, null, null, sgd);
        Ocl.OptimStep(OptimKind.Sgd, p.Ocl, grad.Ocl, s1.Ocl, null, null, sgd);
        var adam = new OptimStep(1e-3f, 0.01f, true) { Beta1 = 0.9f, Beta2 = 0.999f, Eps = 1e-8f, BiasCorrection1 = 0.19f, BiasCorrection2 = 0.002f, Decoupled = true };
        Cpu.OptimStep(OptimKind.Adam, p.Cpu, grad.Cpu, s1.Cpu, s2.Cpu, s3.Cpu, adam);
        Ocl.OptimStep(OptimKind.Adam, p.Ocl, grad.Ocl, s1.Ocl, s2.Ocl, s3.Ocl, adam);
        Cpu.OptimStep(OptimKind.Adamax, p.Cpu, grad.Cpu, s1.Cpu, s3.Cpu, null, adam);
        Ocl.OptimStep(OptimKind.Adamax, p.Ocl, grad.Ocl, s1.Ocl, s3.Ocl, null, adam);
        var rms = new OptimStep(1e-2f, 0f, false) { Alpha = 0.99f, Eps = 1e-8f, Momentum = 0.5f };
        using var ga = BufferPair.Random(rng, n, -0.01f, 0.01f);
        Cpu.OptimStep(OptimKind.RmsProp, p.Cpu, grad.Cpu, s2.Cpu, ga.Cpu, s1.Cpu, rms);
        Ocl.OptimStep(OptimKind.RmsProp, p.Ocl, grad.Ocl, s2.Ocl, ga.Ocl, s1.Ocl, rms);
        p.AssertClose("optimizer steps");
        s1.AssertClose("optimizer state");
        double cpu2 = ((IKernels)Cpu).Norm(grad.Cpu, false), ocl2 = ((IKernels)Ocl).Norm(grad.Ocl, false);
        Assert.Equal((float)cpu2, (float)ocl2);  // both sum in double, then round the root to float
        Assert.Equal(((IKernels)Cpu).Norm(grad.Cpu, true), ((IKernels)Ocl).Norm(grad.Ocl, true));
    }
}
