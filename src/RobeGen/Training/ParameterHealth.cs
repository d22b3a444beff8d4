using System.Numerics;
using RobeGen.Backends;

namespace RobeGen.Training;

/// <summary>
/// Finds NaN and infinite values in a model state. A vectorized pass (x - x is 0 for every finite x and NaN otherwise)
/// costs about as much as reading the state once, far less than writing it to disk, so it runs before every
/// checkpoint and every <see cref="TrainingOptions.ParameterCheckEverySteps"/> steps rather than after every step.
/// </summary>
internal static class ParameterHealth
{
    /// <summary>The first non-finite value of <paramref name="state"/> in tensor order, or null when all are finite.</summary>
    public static NonFiniteValue? FirstNonFinite(ModelState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        foreach ((string name, ChunkedFloats values) in state.ChunkedTensors)
            for (int c = 0; c < values.Chunks.Count; c++)
            {
                long index = FirstNonFinite(values.Chunks[c]);
                if (index >= 0) return new NonFiniteValue(name, values.ChunkStart(c) + index, values.Chunks[c][index]);
            }
        return null;
    }

    /// <summary>
    /// The first non-finite value of <paramref name="model"/>'s state: found where the state lives when the backend scans
    /// it there (CUDA: on the device, nothing copied), else read piece by piece through one small buffer when the backend
    /// streams its state, else from its export.
    /// </summary>
    public static NonFiniteValue? FirstNonFinite(IDlrmBackend model, int pieceLength = IStreamedState.DefaultPieceLength)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model is IStateScan scan) return scan.FirstNonFinite();
        return FirstStreamedNonFinite(model, pieceLength);
    }

    /// <summary>The first non-finite value of <paramref name="model"/>'s state as the host sees it: streamed piece by piece
    /// when the backend streams its state, else from its export (what a device scan must agree with).</summary>
    internal static NonFiniteValue? FirstStreamedNonFinite(IDlrmBackend model, int pieceLength = IStreamedState.DefaultPieceLength)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model is not IStreamedState streamed) return FirstNonFinite(model.ExportState());
        NonFiniteValue? found = null;
        streamed.ReadState((name, start, values) =>
        {
            long index = FirstNonFinite(values);
            if (index >= 0) found = new NonFiniteValue(name, start + index, values[(int)index]);
            return found is null;
        }, pieceLength);
        return found;
    }

    /// <summary>Throws <see cref="TrainingDivergedException"/> when <paramref name="model"/>'s state, after <paramref name="stepsDone"/> steps, is not finite.</summary>
    public static void ThrowIfNonFinite(IDlrmBackend model, long stepsDone)
    {
        if (FirstNonFinite(model) is NonFiniteValue bad) throw new TrainingDivergedException(stepsDone, bad);
    }

    /// <summary>Index of the first NaN or infinity in <paramref name="values"/>, or -1.</summary>
    public static long FirstNonFinite(ReadOnlySpan<float> values)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int width = Vector<float>.Count;
            for (; i <= values.Length - width; i += width)
            {
                var v = new Vector<float>(values[i..]);
                if (!Vector.EqualsAll(v - v, Vector<float>.Zero)) break; // the scalar loop below finds the lane
            }
        }
        for (; i < values.Length; i++)
            if (!float.IsFinite(values[i])) return i;
        return -1;
    }

    /// <summary>Throws <see cref="TrainingDivergedException"/> when <paramref name="state"/>, taken after <paramref name="stepsDone"/> steps, is not finite.</summary>
    public static void ThrowIfNonFinite(ModelState state, long stepsDone)
    {
        if (FirstNonFinite(state) is NonFiniteValue bad) throw new TrainingDivergedException(stepsDone, bad);
    }
}
