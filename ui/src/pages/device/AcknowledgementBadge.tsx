import type { Acknowledgement } from './property-state'

/** How the device answered the last desired value: accepted, rejected (with its words) or not yet. */
export function AcknowledgementBadge({ acknowledgement }: { acknowledgement: Acknowledgement }) {
  switch (acknowledgement.state) {
    case 'none':
      return null
    case 'pending':
      return (
        <span className="badge pending">
          Pending{acknowledgement.version === undefined ? '' : ` (version ${acknowledgement.version})`}
        </span>
      )
    case 'accepted':
    case 'rejected':
      return (
        <span className={acknowledgement.state === 'accepted' ? 'badge ok' : 'badge status-failed'}>
          {acknowledgement.state === 'accepted' ? 'Accepted' : 'Rejected'} ({acknowledgement.code}, version{' '}
          {acknowledgement.version}){acknowledgement.description ? `: ${acknowledgement.description}` : ''}
        </span>
      )
  }
}
