// Review state read from the per-namespace review rooms `W/review/<owner>`. Callers pass the
// owners: the namespaces a viewer may read (readableNamespaces), or every member's when the
// server itself needs the whole picture (accept compares with every earlier accepted edit).
import { reviewRoom } from '../../shared/rooms.ts'
import { mergeReviewStates, readReviewState, type ReviewState } from '../../shared/review/index.ts'
import type { SyncCore } from '../core/SyncCore.ts'

export async function reviewStateOf(core: SyncCore, workspace: string, owners: Iterable<string>): Promise<ReviewState> {
  const states: Array<[string, ReviewState]> = []
  for (const owner of owners) states.push([owner, readReviewState((await core.room(reviewRoom(workspace, owner))).doc)])
  return mergeReviewStates(states)
}
