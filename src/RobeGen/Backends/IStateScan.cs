namespace RobeGen.Backends;

/// <summary>Where a model state first holds a NaN or an infinity: the tensor, the index in it and the value.</summary>
internal readonly record struct NonFiniteValue(string Tensor, long Index, float Value);

/// <summary>
/// A backend that checks its state for NaN and infinity where the state lives (the CUDA backend: a device kernel), so the
/// trainer's periodic check and the check before each checkpoint cost a read at the device's bandwidth, not a copy of
/// the whole state to the host.
/// </summary>
internal interface IStateScan
{
    /// <summary>The first non-finite value in tensor order (ModelState order), index order within a tensor; null when all are finite.</summary>
    NonFiniteValue? FirstNonFinite();
}
