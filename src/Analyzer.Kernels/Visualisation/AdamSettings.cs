namespace Analyzer.Kernels.Visualisation;

/// <summary>Adam's hyper-parameters (PyTorch's defaults but the learning rate, which docs/method.md §6 sets to 0.05).</summary>
public readonly record struct AdamSettings(float LearningRate = 0.05f, float Beta1 = 0.9f, float Beta2 = 0.999f, float Epsilon = 1e-8f);
