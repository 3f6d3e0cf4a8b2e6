using ConvSharp.NN;

namespace ConvSharp.Stress;

internal static class Network
{
    /// <summary>DESIGN.md's 29,066-parameter network for 1×28×28 inputs (the CLI's mnist-cnn preset).</summary>
    public static Sequential MnistCnn(Generator generator) => new(
        new Conv2d(1, 16, 3, padding: 1, generator: generator), new ReLU(), new MaxPool2d(2),
        new Conv2d(16, 32, 3, padding: 1, generator: generator), new ReLU(), new MaxPool2d(2),
        new Conv2d(32, 64, 3, padding: 1, generator: generator), new ReLU(), new MaxPool2d(2),
        new Flatten(), new Linear(64 * 3 * 3, 10, generator: generator));
}
