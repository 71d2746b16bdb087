// The TypeScript SDK snippets of the product page (seed 000, "TypeScript SDK"), verbatim. Only
// the wrappers needed to make one module of them were added: each snippet is the body of its own
// function (they declare the same names), and `client` is passed in after the first. The error
// handling snippet's `{ ... }` placeholder (not valid TypeScript) is the only text replaced, by
// the create-check-in snippet's own body. Checked with `tsc --strict` against the package's
// published types, as a Node project without the DOM library sees them.
import { WaitroomClient } from '@waitroom-io/sdk'

export function initialize(): WaitroomClient {
const client = new WaitroomClient({
  apiKey: process.env.WAITROOM_API_KEY,
  baseUrl: 'https://api.waitroom.io'
})
return client
}

export async function resourceMethods(client: WaitroomClient): Promise<void> {
// Create a check-in
const checkIn = await client.checkIns.create('default', {
  action: 'Deploy to production',
  risk_level: 'high',
  urgency: 'normal'
})

// List rooms
const rooms = await client.rooms.list()

// Broadcast a signal
await client.signals.broadcast('default', {
  type: 'config_update',
  payload: { feature: 'dark_mode', enabled: true }
})

// Create a watcher
await client.watchers.create('default', {
  event_types: ['signal.broadcast']
})
void checkIn, rooms
}

export async function checkInAndWait(client: WaitroomClient): Promise<void> {
const decision = await client.checkIns.checkInAndWait('default', {
  action: 'Send invoice to client',
  risk_level: 'medium'
})

if (decision.status === 'approved') {
  // Proceed with the action
} else if (decision.status === 'modified') {
  // Apply modifications from decision.modifications
} else {
  // Rejected or expired — read decision.decision_reason
}
}

// Not from the page: the fields the snippet's comments name exist with these types.
export async function checkInAndWaitFields(client: WaitroomClient): Promise<void> {
  const decision = await client.checkIns.checkInAndWait('default', { action: 'x' }, { maxWaitMs: 1000 })
  const modifications: Record<string, unknown> | null = decision.modifications
  const reason: string | null = decision.decision_reason
  void modifications, reason
}

export async function errorHandling(client: WaitroomClient): Promise<void> {
try {
  await client.checkIns.create('room', { action: 'Deploy to production', risk_level: 'high', urgency: 'normal' })
} catch (err) {
  // err.code    — "POLICY_FORBIDS"
  // err.message — human-readable
  // err.statusCode — 403
}
}
