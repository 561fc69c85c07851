import Testing
import LeptonTensor
import LeptonTestSupport

/// Subnormal floats inside the CPU backend's kernels: flushed to zero by default (as TensorFlow
/// and XLA do), kept when ``Lepton/flushesDenormals`` is off, and the caller's thread untouched.
/// Serialized: the setting is process-wide.
@Suite(.serialized) struct FlushDenormalsTests {
    /// The smallest normal float times 0.5 is subnormal.
    let tiny = Float.leastNormalMagnitude

    @Test func kernelsFlushSubnormalResultsAndInputsByDefault() {
        #expect(Lepton.flushesDenormals, "on unless LEPTON_FLUSH_DENORMALS=0")
        Device.with(TestSupport.backend(named: "cpu")) {
            let x = Tensor([tiny, 1, -tiny], shape: [3])
            #expect((x * 0.5).scalars == [0, 0.5, 0], "a subnormal result is zero")
            let sub = Tensor([tiny / 4, 2], shape: [2])          // made here: an IEEE subnormal input
            #expect((sub * 4).scalars == [0, 8], "a subnormal input reads as zero")
        }
    }

    @Test func offKeepsIEEESubnormals() {
        Lepton.flushesDenormals = false
        defer { Lepton.flushesDenormals = true }
        Device.with(TestSupport.backend(named: "cpu")) {
            let x = Tensor([tiny, 1], shape: [2])
            #expect((x * 0.5).scalars == [tiny / 2, 0.5])
            #expect((x * 0.5).scalars[0].isSubnormal)
        }
    }

    @Test func theCallersThreadKeepsItsOwnMode() {
        Device.with(TestSupport.backend(named: "cpu")) { _ = (Tensor([tiny], shape: [1]) * 0.5).scalars }
        let half = Float(0.5)
        #expect((tiny * half).isSubnormal, "Swift code on the same thread after a kernel")
    }

    @Test func aMatrixProductFlushesToo() {
        Device.with(TestSupport.backend(named: "cpu")) {
            let a = Tensor([tiny, 1], shape: [1, 2]), b = Tensor([0.5, 0], shape: [2, 1])
            #expect(a.matmul(b).scalars == [0])
        }
    }
}
