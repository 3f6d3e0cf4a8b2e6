using ConvSharp.NN;

namespace ConvSharp;

public static partial class Models
{
    /// <summary>torchvision's <c>resnet18</c>: 11,689,512 parameters for 1000 classes, with torchvision's state_dict names.</summary>
    public static ResNet ResNet18(int numClasses = 1000, int inChannels = 3, Generator? generator = null)
    {
        Check(nameof(ResNet18), inChannels, numClasses);
        return Stamp(new ResNet([2, 2, 2, 2], numClasses, inChannels, generator), nameof(ResNet18), ("numClasses", numClasses), ("inChannels", inChannels));
    }

    /// <summary>torchvision's <c>vgg11_bn</c>: 132,868,840 parameters for 1000 classes.</summary>
    public static Vgg Vgg11Bn(int numClasses = 1000, int inChannels = 3, Generator? generator = null)
    {
        Check(nameof(Vgg11Bn), inChannels, numClasses);
        return Stamp(new Vgg([64, 0, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0], numClasses, inChannels, generator: generator),
            nameof(Vgg11Bn), ("numClasses", numClasses), ("inChannels", inChannels));
    }

    /// <summary>torchvision's <c>mobilenet_v2</c> (width 1.0): 3,504,872 parameters for 1000 classes.</summary>
    public static NN.MobileNetV2 MobileNetV2(int numClasses = 1000, int inChannels = 3, Generator? generator = null)
    {
        Check(nameof(MobileNetV2), inChannels, numClasses);
        return Stamp(new NN.MobileNetV2(numClasses, inChannels, generator: generator), nameof(MobileNetV2), ("numClasses", numClasses), ("inChannels", inChannels));
    }
}
