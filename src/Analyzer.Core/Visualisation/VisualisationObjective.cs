using Analyzer.Core.Activations;

namespace Analyzer.Core.Visualisation;

/// <summary>
/// One image to optimise: maximise Σ over <see cref="Units"/> of Σ over space |pre-activation| at
/// <see cref="Point"/> (docs/method.md §6). <see cref="Seed"/> fixes its starting noise and its random transforms, so the
/// image does not depend on which other images share its batch.
/// </summary>
public sealed record VisualisationObjective(string Id, PreActivationPoint Point, int[] Units, int Seed);

/// <summary>
/// An optimised image in the model's pixel domain ([channels, height, width], values in [0, 1] standing for
/// pixel / 255, before the model's preprocessing), its vis-score (the objective without transforms) and the entropy
/// (natural log) of the model's softmax output on it.
/// </summary>
public sealed record VisualisationResult(string Id, float[] Image, int Channels, int Height, int Width, double Score, double Entropy);
