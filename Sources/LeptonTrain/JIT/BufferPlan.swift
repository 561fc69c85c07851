/// Where each value of a compiled step lives in one arena, planned once per input shape.
///
/// A value lives from the first to the last node pass that touches it (its aliases included);
/// values whose lives do not overlap share memory. Placement is greedy by size, largest first,
/// at the lowest 64-byte-aligned offset that overlaps no placed value alive at the same time —
/// the static memory planning of XLA and TVM, in its simplest form.
package struct BufferPlan {
    /// The offset in floats of each value that owns arena memory (nil: external or an alias).
    package let offsets: [Int?]
    /// Floats the arena holds.
    package let floatCount: Int

    /// Elements of alignment: 64 bytes.
    package static let alignment = 16

    package init(_ graph: StepGraph) {
        let values = graph.values
        var first = Array(repeating: Int.max, count: values.count)
        var last = Array(repeating: Int.min, count: values.count)
        for (value, time) in graph.uses {
            let root = graph.root(value)
            first[root] = min(first[root], time)
            last[root] = max(last[root], time)
        }
        let planned = values.indices.filter { values[$0].aliasOf == nil && !values[$0].external && first[$0] <= last[$0] }
        let bySize = planned.sorted { (values[$0].count, -$0) > (values[$1].count, -$1) }
        var offsets = [Int?](repeating: nil, count: values.count)
        var placed: [(start: Int, end: Int, first: Int, last: Int)] = []
        var total = 0
        for v in bySize {
            let size = Self.aligned(values[v].count)
            let live = placed.filter { $0.first <= last[v] && first[v] <= $0.last }.sorted { $0.start < $1.start }
            var offset = 0
            for block in live where block.start < offset + size && offset < block.end {
                offset = max(offset, Self.aligned(block.end))
            }
            // One pass over blocks sorted by start can skip past a gap it should have used only
            // when a later block starts before an earlier one ends; recheck to be sure.
            while let clash = live.first(where: { $0.start < offset + size && offset < $0.end }) {
                offset = Self.aligned(clash.end)
            }
            offsets[v] = offset
            placed.append((offset, offset + size, first[v], last[v]))
            total = max(total, offset + size)
        }
        self.offsets = offsets
        floatCount = total
    }

    private static func aligned(_ n: Int) -> Int { (max(n, 1) + alignment - 1) / alignment * alignment }
}
