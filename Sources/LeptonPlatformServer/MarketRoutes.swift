import Foundation
import Hummingbird
import LeptonPlatform

/// `/api/v1/market`: public listings — search (every workspace sees every listing), publish a
/// version of one's own model, show a listing, pull it into one's own registry.
struct MarketRoutes {
    let platform: Platform

    struct PullBody: Decodable { let name: String? }

    func register(on table: PlatformRouteTable) {
        let market = platform.market
        table.add(.get, "/api/v1/market", role: .viewer, "search listings (?q=TEXT&task=TASK)") { request, _, _ in
            let query = request.uri.queryParameters.get("q") ?? ""
            return try jsonResponse(["listings": try await market.search(query, task: request.uri.queryParameters.get("task"))])
        }
        table.add(.post, "/api/v1/market", role: .editor, "publish a model version as a listing") { request, _, who in
            let publication = try await PlatformJSON.decode(MarketPublication.self, from: request, expected: """
                {"model": "mnist-cnn", "version": "champion", "task": "image-classification", "licence": "MIT", \
                "description": "…", "metrics": {"accuracy": 0.987}}
                """)
            return try jsonResponse(try await market.publish(publication, workspaceID: who.workspaceID), status: .created)
        }
        table.add(.get, "/api/v1/market/:id", role: .viewer, "a listing") { request, context, _ in
            try jsonResponse(try await market.get(try request.parameter("id", of: context)))
        }
        table.add(.post, "/api/v1/market/:id/pull", role: .editor, "copy a listing into your registry as a new model version") { request, context, who in
            let body = try await PlatformJSON.decode(PullBody.self, from: request, expected: #"{"name": "my-mnist"} (name optional)"#)
            let (model, version) = try await market.pull(try request.parameter("id", of: context), as: body.name, workspaceID: who.workspaceID)
            return try jsonResponse(model.summary(versions: [version]), status: .created)
        }
    }
}
