#:project ../src/Managed/ConvSharp/ConvSharp.csproj
// torchvision's ResNet-18 from ConvSharp.Models, trained by the library's Trainer on Fashion-MNIST resized to 32×32
// (one input channel), a few batches per epoch; the kept weights are saved with their architecture and input shape,
// so `convsharp summary|predict|eval --model runs/resnet18/model.safetensors` work on the file.
// Run: dotnet run samples/resnet18.cs -- [training images, default 512]
using ConvSharp;
using ConvSharp.Data;
using ConvSharp.NN;
using ConvSharp.Optim;
using ConvSharp.Training;

int count = args.Length > 0 ? int.Parse(args[0]) : 512;
string folder = Directory.Exists("data/fashion-mnist") ? "data/fashion-mnist" : FashionMnist.FindDirectory();
var data = FashionMnist.Load(folder, train: true, transform: new Compose(new Resize(32), new ToTensor(), new Normalize(0.286f, 0.353f)));
var (train, rest) = data.Split(count, data.Count - count, seed: 0);
var (val, _) = rest.Split(count / 4, rest.Count - count / 4, seed: 1);
using var model = Models.ResNet18(numClasses: 10, inChannels: 1);
Console.WriteLine($"{model.Architecture}: {model.ParameterCount():N0} parameters");
using var opt = new Sgd(model.Parameters(), lr: 0.05f, momentum: 0.9f, weightDecay: 5e-4f);
var trainer = new Trainer
{
    RunDirectory = Path.Combine("runs", "resnet18"), Scheduler = new CosineAnnealingLR(opt, tMax: 2), ClipGradNorm = 5f,
    ModelInfo = new ModelInfo { Input = [1, 32, 32], Mean = [0.286f], Std = [0.353f], Classes = FashionMnist.Classes },
};
var result = trainer.Fit(model, new CrossEntropyLoss(), opt, new DataLoader(train, 32, shuffle: true), new DataLoader(val, 64), epochs: 2);
foreach (var m in result.History) Console.WriteLine($"epoch {m.Epoch}: train loss {m.TrainLoss:F3}, validation accuracy {m.ValAccuracy:P1}");
Console.WriteLine($"kept epoch {result.BestEpoch}; weights in {Path.Combine("runs", "resnet18", "model.safetensors")}");
