/**
 * Parts of the page are loaded when first needed (React.lazy): if one cannot be (a new build
 * replaced its chunk, the network failed), the person is told so in place of that part.
 */
import { Component, type ReactNode } from 'react';

/** A part of the page whose code could not be loaded (a new build, the network) says so. */
export class LoadFailure extends Component<{ children: ReactNode }, { failed?: string }> {
  override state: { failed?: string } = {};
  static getDerivedStateFromError(err: unknown) {
    return { failed: err instanceof Error ? err.message : String(err) };
  }
  override render() {
    if (this.state.failed === undefined) return this.props.children;
    return (
      <div className="alert" role="alert">
        This part of the page could not be loaded ({this.state.failed}). Reload the page.
      </div>
    );
  }
}
