using RobeGen.Checkpoints;

namespace RobeGen.Cli.Tests;

/// <summary>A model that cannot predict (finite weights whose logits overflow) gives an error, never NaN lines or exit 0.</summary>
public sealed class UnusableModelTests
{
    [Fact]
    public void Predict_and_eval_refuse_a_model_whose_predictions_are_not_probabilities()
    {
        using var scratch = new Scratch();
        string data = CliData.Rows(scratch);
        string model = CliData.Model(scratch, data);
        // Finite but huge weights, as after a step with --lr 1e6: the NaN scan passes, the logits overflow.
        Checkpoint c = CheckpointFile.Load(model);
        foreach ((string name, float[] values) in c.State.Tensors)
            if (name.StartsWith("top.", StringComparison.Ordinal) || name.StartsWith("bottom.", StringComparison.Ordinal))
                for (int i = 0; i < values.Length; i++) values[i] = i % 2 == 0 ? 3e37f : -3e37f;
        CheckpointFile.Save(model, c);

        string output = scratch.File("p.txt");
        var predict = Robegen.Run("predict", "--checkpoint", model, "--data", data, "--out", output);
        CliData.AssertOneLineError(predict, 1, "not a probability", "row 1");
        Assert.False(File.Exists(output));
        CliData.AssertOneLineError(Robegen.Run("eval", "--checkpoint", model, "--data", data), 1, "not a probability");
    }
}
