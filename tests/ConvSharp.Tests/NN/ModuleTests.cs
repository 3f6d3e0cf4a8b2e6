using ConvSharp.NN;

namespace ConvSharp.Tests.NN;

public class ModuleTests
{
    private sealed class Residual : Module
    {
        public Residual(int features)
        {
            Inner = RegisterModule("inner", new Sequential(new Linear(features, features, generator: new Generator(1)), new ReLU()));
            Scale = RegisterParameter("scale", new Parameter(features))!;
            Init.Constant(Scale, 0.5f);
        }

        public Sequential Inner { get; }
        public Parameter Scale { get; }

        protected override Tensor ForwardCore(Tensor input) => Inner.Forward(input) * Scale + input;
    }

    [Fact]
    public void Named_parameters_follow_pytorch_state_dict_keys()
    {
        using var model = new Sequential(new Linear(4, 3), new ReLU(), new Sequential(new Linear(3, 2, bias: false)), new Residual(2));
        Assert.Equal(["0.weight", "0.bias", "2.0.weight", "3.scale", "3.inner.0.weight", "3.inner.0.bias"],
            model.NamedParameters().Select(p => p.Name).ToArray());
        Assert.Equal(4 * 3 + 3 + 3 * 2 + 2 + 2 * 2 + 2, model.ParameterCount());
        Assert.Equal(["", "0", "1", "2", "2.0", "3", "3.inner", "3.inner.0", "3.inner.1"], model.NamedModules().Select(m => m.Name).ToArray());
    }

    [Fact]
    public void Linear_initialises_like_pytorch_within_one_over_sqrt_fan_in()
    {
        using var layer = new Linear(400, 30, generator: new Generator(3));
        float bound = 1f / MathF.Sqrt(400);
        float[] w = layer.Weight.ToArray(), b = layer.Bias!.ToArray();
        Assert.All(w, v => Assert.InRange(v, -bound, bound));
        Assert.All(b, v => Assert.InRange(v, -bound, bound));
        // U(-b, b) has standard deviation b/√3; 12,000 draws pin it to a few percent.
        double std = Math.Sqrt(w.Average(v => (double)v * v));
        Assert.InRange(std, bound / Math.Sqrt(3) * 0.95, bound / Math.Sqrt(3) * 1.05);
        using var again = new Linear(400, 30, generator: new Generator(3));
        Assert.Equal(w, again.Weight.ToArray());
    }

    [Fact]
    public void Forward_hooks_fire_for_direct_calls_on_a_child_and_can_be_removed()
    {
        var relu = new ReLU();
        using var model = new Sequential(new Linear(2, 2), relu);
        var seen = new List<(Module, int[], int[])>();
        var handle = relu.RegisterForwardHook((m, i, o) => seen.Add((m, i.Shape, o.Shape)));
        using var scope = Tensor.Scope();
        var x = Tensor.Ones(5, 2);
        model.Forward(x);
        relu.Forward(x);  // directly, not through the Sequential
        Assert.Equal(2, seen.Count);
        Assert.Same(relu, seen[0].Item1);
        Assert.Equal([5, 2], seen[1].Item3);
        handle.Dispose();
        relu.Forward(x);
        Assert.Equal(2, seen.Count);
    }

    [Fact]
    public void Train_and_eval_reach_every_descendant()
    {
        using var model = new Sequential(new Linear(2, 2), new Sequential(new ReLU()));
        model.Eval();
        Assert.All(model.NamedModules(), m => Assert.False(m.Module.IsTraining));
        model.Train();
        Assert.All(model.NamedModules(), m => Assert.True(m.Module.IsTraining));
    }

    [Fact]
    public void A_custom_module_trains_its_gradients_through_children_and_zero_grad_clears_them()
    {
        using var model = new Residual(3);
        using var scope = Tensor.Scope();
        var x = Tensor.Randn([4, 3], seed: 5);
        model.Forward(x).Sum().Backward();
        Assert.All(model.Parameters(), p => Assert.NotNull(p.Grad));
        Assert.Contains(model.Scale.Grad!.ToArray(), v => v != 0);
        model.ZeroGrad();
        Assert.All(model.Parameters(), p => Assert.All(p.Grad!.ToArray(), v => Assert.Equal(0f, v)));
    }

    [Fact]
    public void Parameters_and_their_gradients_survive_the_scope_of_a_training_step()
    {
        using var layer = new Linear(3, 2);
        using (Tensor.Scope())
        {
            var x = Tensor.Ones(1, 3);
            layer.Forward(x).Sum().Backward();
        }
        Assert.False(layer.Weight.IsDisposed);
        Assert.False(layer.Weight.Grad!.IsDisposed);
        Assert.Equal([1f, 1, 1, 1, 1, 1], layer.Weight.Grad.ToArray());
    }

    [Fact]
    public void Linear_with_the_wrong_feature_count_names_the_layer_and_shape()
    {
        using var layer = new Linear(4, 2);
        using var x = Tensor.Ones(3, 5);
        var e = Assert.Throws<ArgumentException>(() => layer.Forward(x));
        Assert.StartsWith("Linear(4, 2) expects 4 input features in the last dimension, but got shape [3, 5].", e.Message);
    }

    [Fact]
    public void Duplicate_or_dotted_member_names_are_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => new Dup());
        Assert.StartsWith("Dup already has a member named 'w'.", e.Message);
    }

    private sealed class Dup : Module
    {
        public Dup()
        {
            RegisterParameter("w", new Parameter(1));
            RegisterParameter("w", new Parameter(1));
        }

        protected override Tensor ForwardCore(Tensor input) => input;
    }
}

public class ModuleBufferTests
{
    private sealed class WithBuffer : Module
    {
        public WithBuffer() => Stats = RegisterBuffer("stats", Tensor.Ones(3));

        public Tensor Stats { get; }

        protected override Tensor ForwardCore(Tensor input) => input;
    }

    [Fact]
    public void A_buffer_registered_inside_a_scope_belongs_to_the_module()
    {
        WithBuffer module;
        using (Tensor.Scope()) module = new WithBuffer();
        Assert.False(module.Stats.IsDisposed);
        Assert.Equal([1f, 1, 1], module.Stats.ToArray());
        module.Dispose();
        Assert.True(module.Stats.IsDisposed);
    }
}
